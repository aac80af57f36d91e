"""A practice's capacity as its people read and keep it: each service's intake figures in plain
words ("Still 3 open, next intake Tuesday 9 Dec", "confirmed 5 days ago, stale in 2 days"), the
one-click "Still right" (the same figures sent again, so the directory stamps them verified now)
and the short form that changes open places and the next intake. Pure: `now` is a parameter.

Capacity is the directory's: its listing says when the figures were verified and when they turn
stale (`capacity_stale_at`, by the directory's own age rule), and a PUT of the figures confirms
them. The portal keeps nothing of its own.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from warmlink.roles import PersonRole, Role

# The figures the directory's capacity PUT takes (its CapacityIn, without `verified_at`).
FIGURES = (
    "available",
    "maximum",
    "next_available_intake",
    "accepting_new_patients",
    "waitlist_length",
)
# A practice's open new-patient places: more than this is a typing slip, not a clinic.
MOST_OPEN = 500
# Who keeps the figures; who may only read them.
KEEPS = frozenset({PersonRole.INTAKE_COORDINATOR})
READS = frozenset({PersonRole.INTAKE_COORDINATOR, PersonRole.CLINICIAN})


def reads_capacity(access_role: Role, role: PersonRole) -> bool:
    return access_role is Role.PRACTICE and role in READS


def keeps_capacity(access_role: Role, role: PersonRole) -> bool:
    return access_role is Role.PRACTICE and role in KEEPS


@dataclass(frozen=True)
class ServiceCapacity:
    """One service's capacity as its page shows it."""

    service_id: str
    name: str
    known: bool  # False: the directory has no figures for it yet ("Still right" has nothing)
    available: int | None
    next_intake: str  # ISO date, or '' when none is set
    open_words: str  # "Still 3 open, next intake Tuesday 9 Dec"
    age_words: str  # "confirmed 5 days ago, stale in 2 days"
    stale: bool


def _day(on: date) -> str:
    return f"{on:%A} {on.day} {on:%b}"


def open_words(capacity: dict[str, Any]) -> str:
    if not capacity.get("accepting_new_patients", True):
        said = "Not taking new patients"
    elif capacity["available"] == 0:
        said = "No places open"
    else:
        said = f"Still {capacity['available']} open"
    intake = capacity.get("next_available_intake")
    if intake:
        return f"{said}, next intake {_day(date.fromisoformat(intake))}"
    return f"{said}, no next intake set"


def _span(delta: timedelta, nearest: bool = False) -> str:
    """'5 days', '1 day', '3 hours', 'a moment'. Rounded down (how long ago), or to the nearest
    unit (how long is left: a week's rule just confirmed reads "stale in 7 days", not 6)."""
    hours = delta.total_seconds() / 3600
    cut = round if nearest else math.floor
    if hours >= 24 or (nearest and hours >= 12):
        days = max(1, cut(hours / 24))
        return f"{days} day{'s' if days > 1 else ''}"
    if hours >= 1 or (nearest and hours >= 0.5):
        whole = max(1, cut(hours))
        return f"{whole} hour{'s' if whole > 1 else ''}"
    return "a moment"


def age_words(verified_at: datetime, stale_at: datetime, now: datetime) -> str:
    age = max(now - verified_at, timedelta(0))
    confirmed = "confirmed just now" if age < timedelta(hours=1) else f"confirmed {_span(age)} ago"
    left = stale_at - now
    if left <= timedelta(0):
        return f"{confirmed}, stale for {_span(-left)}: confirm or change it"
    return f"{confirmed}, stale in {_span(left, nearest=True)}"


def service_capacity(service: dict[str, Any], now: datetime) -> ServiceCapacity:
    """A listing's service (the directory's JSON) as its line on the page."""
    capacity = service.get("capacity")
    if capacity is None:
        return ServiceCapacity(
            service["id"],
            service["name"],
            False,
            None,
            "",
            "No figures yet",
            "never confirmed",
            True,
        )
    verified_at = datetime.fromisoformat(capacity["verified_at"])
    stale_at = datetime.fromisoformat(service["capacity_stale_at"])
    return ServiceCapacity(
        service_id=service["id"],
        name=service["name"],
        known=True,
        available=capacity["available"],
        next_intake=capacity.get("next_available_intake") or "",
        open_words=open_words(capacity),
        age_words=age_words(verified_at, stale_at, now),
        stale=now >= stale_at,
    )


@dataclass(frozen=True)
class CapacityPanel:
    """What a page shows of its practice's capacity; `keeps`: she may confirm or change it."""

    services: list[ServiceCapacity]
    keeps: bool


def practice_capacity(listing: dict[str, Any], now: datetime) -> list[ServiceCapacity]:
    return [service_capacity(s, now) for s in listing.get("services") or []]


def figures(service: dict[str, Any]) -> dict[str, Any] | None:
    """The service's figures as the directory takes them back: "Still right" sends these."""
    capacity = service.get("capacity")
    if capacity is None:
        return None
    return {k: capacity[k] for k in FIGURES}


@dataclass(frozen=True)
class CapacityChange:
    """The short form: open places and the next intake, as typed."""

    available: str
    next_intake: str

    @classmethod
    def of(cls, form: dict[str, str]) -> CapacityChange:
        return cls(form.get("available", "").strip(), form.get("next_intake", "").strip())

    def errors(self, today: date) -> dict[str, str]:
        found: dict[str, str] = {}
        if not self.available.isdigit() or int(self.available) > MOST_OPEN:
            found["available"] = f"Enter the number of open places, 0 to {MOST_OPEN}."
        if self.next_intake:
            try:
                on = date.fromisoformat(self.next_intake)
            except ValueError:
                found["next_intake"] = "Enter the date of the next intake, such as 2026-12-09."
            else:
                if on < today:
                    found["next_intake"] = "The next intake cannot be before today."
        return found

    def applied_to(self, service: dict[str, Any]) -> dict[str, Any]:
        """The figures to send: the typed ones over what the directory holds (a service with no
        figures yet starts from none). More open places than the most it had raises that most,
        and open places mean it takes new patients."""
        available = int(self.available)
        kept = figures(service) or {
            "maximum": 0,
            "accepting_new_patients": True,
            "waitlist_length": 0,
        }
        return kept | {
            "available": available,
            "maximum": max(int(kept["maximum"]), available),
            "next_available_intake": self.next_intake or None,
            "accepting_new_patients": bool(kept["accepting_new_patients"]) or available > 0,
        }


def local_path(back: str | None, default: str) -> str:
    """Where a form sends her back: a path of this portal only (no scheme, no host, no `//`,
    no backslash), else `default`."""
    if (
        not back
        or not back.startswith("/")
        or back.startswith("//")
        or "\\" in back
        or any(ord(c) < 0x20 for c in back)
    ):
        return default
    return back
