"""What a referring site does with a positive screen: who she is, what she needs, how she is
referred. Pure: every draw comes from the patient's own random stream.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from tools.sim.rng import pick

# How the handoff is made, by setting (docs/domain.md): pediatric visits are short, so digital is
# typical; hospital social workers and IOP teams mostly complete it themselves.
METHOD_SHARES: dict[str, dict[str, float]] = {
    "hospital": {"coordinator": 0.55, "in_room_call": 0.30, "digital": 0.15},
    "ob": {"digital": 0.50, "in_room_call": 0.30, "coordinator": 0.20},
    "pediatric": {"digital": 0.70, "coordinator": 0.20, "in_room_call": 0.10},
    "iop_php": {"coordinator": 0.60, "in_room_call": 0.30, "digital": 0.10},
}
COVERAGE_SHARES = {"plan": 0.50, "medicaid": 0.40, "uninsured": 0.10}
LANGUAGE_SHARES = {"": 0.88, "es": 0.08, "pl": 0.04}  # "" = no preference beyond English
PSYCHIATRY_SHARE = 0.2  # of referrals; more when the screen was urgent
TELEHEALTH_STATE = "IL"  # the demo region's state
JITTER_DEGREES = 0.05  # patients live around the site, a few km away
# Not every positive screen is referred: after the conversation she declines, or she is already
# in care; the site then closes the screen with that code ("" = she is referred).
NOT_REFERRED_SHARES = {"": 0.88, "declined_after_conversation": 0.07, "already_in_care": 0.05}


@dataclass(frozen=True)
class Site:
    id: str
    setting: str
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Needs:
    """What she needs from a practice; the match query carries no identity."""

    level_of_care: str
    coverage: str
    plan: str | None
    latitude: float
    longitude: float
    language: str | None
    population: str

    def match_query(self, urgent: bool) -> dict[str, str]:
        query = {
            "level_of_care": self.level_of_care,
            "coverage": self.coverage,
            "latitude": f"{self.latitude:.4f}",
            "longitude": f"{self.longitude:.4f}",
            "telehealth_state": TELEHEALTH_STATE,
            "population": self.population,
            "urgency": "urgent" if urgent else "routine",
            "limit": "5",
        }
        optional = {"plan": self.plan, "language": self.language}
        return query | {k: v for k, v in optional.items() if v}

    def criteria(self) -> dict[str, Any]:
        """The match criteria a referral keeps, to offer next matches after a decline."""
        criteria = {
            "coverage": self.coverage,
            "plan": self.plan,
            "latitude": round(self.latitude, 4),
            "longitude": round(self.longitude, 4),
            "telehealth_state": TELEHEALTH_STATE,
            "language": self.language,
            "population": self.population,
        }
        return {k: v for k, v in criteria.items() if v is not None}


def draw_not_referred(rng: random.Random) -> str | None:
    """The closure reason when she will not be referred, else None."""
    return pick(rng, NOT_REFERRED_SHARES) or None


def draw_method(rng: random.Random, setting: str) -> str:
    return pick(rng, METHOD_SHARES[setting])


def draw_needs(rng: random.Random, site: Site, urgent: bool, plans: list[str]) -> Needs:
    coverage = pick(rng, COVERAGE_SHARES)
    psychiatry = rng.random() < (PSYCHIATRY_SHARE * 2 if urgent else PSYCHIATRY_SHARE)
    # Pregnant patients are screened at OB visits; after birth, everywhere.
    pregnant = site.setting == "ob" and rng.random() < 0.5
    return Needs(
        level_of_care="psychiatry" if psychiatry else "outpatient_therapy",
        coverage=coverage,
        plan=rng.choice(plans) if coverage == "plan" and plans else None,
        latitude=site.latitude + rng.uniform(-JITTER_DEGREES, JITTER_DEGREES),
        longitude=site.longitude + rng.uniform(-JITTER_DEGREES, JITTER_DEGREES),
        language=pick(rng, LANGUAGE_SHARES) or None,
        population="pregnant" if pregnant else "postpartum",
    )


def choose_match(rng: random.Random, matches: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Usually the first match; sometimes the patient prefers the second or third."""
    if not matches:
        return None
    return matches[0] if rng.random() < 0.65 else rng.choice(matches[:3])


def fake_patient(rng: random.Random, number: int) -> dict[str, Any]:
    """Contact details nobody could mistake for a real person's: 555-01xx is the fictional
    range of the North American numbering plan and example.org is reserved."""
    born = date(1986, 1, 1) + timedelta(days=rng.randrange(0, 16 * 365))
    return {
        "given_name": "Simulated",
        "family_name": f"Patient-{number:05d}",
        "birth_date": born.isoformat(),
        "phone": f"312-555-01{rng.randrange(100):02d}",
        "email": f"simulated.patient.{number}@example.org",
        "preferred_contact_times": rng.choice(["mornings", "afternoons", "evenings", "any time"]),
    }


def setting_fields(rng: random.Random, setting: str, number: int, now: datetime) -> dict[str, Any]:
    """What the referral API needs per setting (README "Submitting")."""
    if setting == "hospital":
        return {"planned_discharge_at": (now + timedelta(hours=rng.uniform(6, 48))).isoformat()}
    if setting == "pediatric":
        return {"infant_visit_ref": f"sim-infant-visit-{number}"}
    if setting == "iop_php":
        last_session = now.date() + timedelta(days=rng.randint(2, 10))
        # The discharge summary follows as a document (sites.py), as an IOP team sends it.
        return {"last_iop_session_on": last_session.isoformat()}
    return {}
