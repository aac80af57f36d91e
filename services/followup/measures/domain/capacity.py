"""Network capacity: open intake slots by level of care and area, stale listings, next intake.

- open slots: `available` of listings that are fresh, accepting new patients, of a practice
  accepting referrals. A stale listing's slots are counted apart (`stale_slots`): a number
  nobody confirmed is not capacity anyone can rely on.
- stale: the directory said so when it published, or nobody has confirmed it for `max_age`
  since (the directory publishes when capacity changes, not when it ages).
- next available intake: the earliest `next_available_intake` among fresh, open listings.
- unreported: services listed in a profile with no capacity ever reported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from services.followup.measures.domain.facts import Listing

TELEHEALTH = "telehealth"
UNKNOWN = "unknown"


def is_stale(listing: Listing, now: datetime, max_age: timedelta) -> bool:
    if listing.verified_at is None:
        return False  # unreported, which is counted on its own
    return listing.stale or now - listing.verified_at > max_age


def is_open(listing: Listing) -> bool:
    return listing.practice_accepting and listing.accepting_new_patients


@dataclass
class _Bucket:
    services: int = 0
    open_slots: int = 0
    maximum_slots: int = 0
    stale_services: int = 0
    stale_slots: int = 0
    unreported: int = 0
    intakes: list[date] = field(default_factory=list)

    def add(self, listing: Listing, stale: bool) -> None:
        self.services += 1
        if listing.verified_at is None or listing.available is None:
            self.unreported += 1
            return
        self.maximum_slots += listing.maximum or 0
        if stale:
            self.stale_services += 1
            self.stale_slots += listing.available
        elif is_open(listing):
            self.open_slots += listing.available
            if listing.next_available_intake is not None:
                self.intakes.append(listing.next_available_intake)

    def view(self) -> dict[str, Any]:
        return {
            "services": self.services,
            "open_slots": self.open_slots,
            "maximum_slots": self.maximum_slots,
            "stale_services": self.stale_services,
            "stale_slots": self.stale_slots,
            "unreported": self.unreported,
            "next_available_intake": min(self.intakes).isoformat() if self.intakes else None,
        }


def _level(listing: Listing) -> str:
    return listing.level_of_care or UNKNOWN


def _area(listing: Listing) -> str:
    return listing.area or (TELEHEALTH if listing.level_of_care else UNKNOWN)


def _buckets(
    listings: list[tuple[Listing, bool]],
    key: Callable[[Listing], tuple[str, ...]],
    names: tuple[str, ...],
) -> list[dict[str, Any]]:
    buckets: dict[tuple[str, ...], _Bucket] = {}
    for listing, stale in listings:
        buckets.setdefault(key(listing), _Bucket()).add(listing, stale)
    return [dict(zip(names, k, strict=True)) | buckets[k].view() for k in sorted(buckets)]


def capacity_summary(
    listings: Iterable[Listing], now: datetime, max_age: timedelta
) -> dict[str, Any]:
    marked = [(listing, is_stale(listing, now, max_age)) for listing in listings]
    network = _Bucket()
    for listing, stale in marked:
        network.add(listing, stale)
    return {
        "as_of": now.isoformat(),
        "stale_after_hours": max_age / timedelta(hours=1),
        "network": network.view(),
        "by_level_of_care": _buckets(marked, lambda x: (_level(x),), ("level_of_care",)),
        "by_area": _buckets(marked, lambda x: (_area(x),), ("area",)),
        "by_level_and_area": _buckets(
            marked, lambda x: (_level(x), _area(x)), ("level_of_care", "area")
        ),
        "stale_listings": [
            {
                "practice_id": x.practice_id,
                "service_id": x.service_id,
                "level_of_care": _level(x),
                "area": _area(x),
                "verified_at": x.verified_at.isoformat() if x.verified_at else None,
                "age_hours": round((now - x.verified_at) / timedelta(hours=1), 1)
                if x.verified_at
                else None,
            }
            for x, stale in sorted(marked, key=lambda m: m[0].verified_at or now)
            if stale
        ],
    }
