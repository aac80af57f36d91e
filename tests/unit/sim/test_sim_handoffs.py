"""Handoff methods by setting, and the referral body parts each setting needs."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest

from services.referral.entrypoints.schemas import PatientIn
from tools.sim.handoffs import (
    METHOD_SHARES,
    Site,
    choose_match,
    draw_method,
    draw_needs,
    fake_patient,
    setting_fields,
)
from tools.sim.rng import stream

DRAWS = 4000


@pytest.mark.parametrize("setting", sorted(METHOD_SHARES))
def test_methods_follow_the_setting_shares(setting: str) -> None:
    rng = stream(2, "method", setting)
    counts = Counter(draw_method(rng, setting) for _ in range(DRAWS))
    for method, share in METHOD_SHARES[setting].items():
        assert counts[method] / DRAWS == pytest.approx(share, abs=0.03), method


def test_shares_are_plausible_by_setting() -> None:
    """Pediatric visits are short: mostly digital; hospitals and IOPs: mostly a coordinator."""
    assert max(METHOD_SHARES["pediatric"], key=METHOD_SHARES["pediatric"].__getitem__) == "digital"
    assert max(METHOD_SHARES["hospital"], key=METHOD_SHARES["hospital"].__getitem__) == (
        "coordinator"
    )
    for shares in METHOD_SHARES.values():
        assert sum(shares.values()) == pytest.approx(1.0)


def test_fake_patients_are_valid_and_obviously_fake() -> None:
    for number in range(200):
        patient = fake_patient(stream(1, "pt", number), number)
        PatientIn(**patient)  # the referral API accepts it
        assert patient["phone"].startswith("312-555-01")
        assert patient["email"].endswith("@example.org")
        assert patient["given_name"] == "Simulated"


def test_each_setting_gets_the_fields_the_referral_api_requires() -> None:
    now = datetime(2026, 11, 20, 10, tzinfo=UTC)
    rng = stream(1, "fields")
    assert setting_fields(rng, "ob", 1, now) == {}
    assert set(setting_fields(rng, "hospital", 1, now)) == {"planned_discharge_at"}
    assert set(setting_fields(rng, "pediatric", 1, now)) == {"infant_visit_ref"}
    assert set(setting_fields(rng, "iop_php", 1, now)) == {"last_iop_session_on"}
    assert (
        datetime.fromisoformat(setting_fields(rng, "hospital", 1, now)["planned_discharge_at"])
        > now
    )


def test_needs_make_a_match_query_without_identity() -> None:
    site = Site("riverside-ob", "ob", 41.88, -87.63)
    rng = stream(4, "needs")
    needs = [draw_needs(rng, site, False, ["aetna", "bcbs-il"]) for _ in range(500)]
    coverage = Counter(n.coverage for n in needs)
    assert coverage["plan"] > coverage["medicaid"] > coverage["uninsured"] > 0
    assert all(n.plan in ("aetna", "bcbs-il") for n in needs if n.coverage == "plan")
    query = needs[0].match_query(urgent=True)
    assert query["urgency"] == "urgent"
    assert not {"patient", "given_name", "phone", "email"} & set(query)


def test_choose_match_prefers_the_first_and_handles_none() -> None:
    rng = stream(9, "choose")
    matches = [{"service_id": f"s{i}"} for i in range(5)]
    picks = Counter(choose_match(rng, matches)["service_id"] for _ in range(1000))  # type: ignore[index]
    assert picks["s0"] > 600
    assert set(picks) <= {"s0", "s1", "s2"}
    assert choose_match(rng, []) is None
