"""Which listings are going stale, and which practices never confirm their capacity. Pure.

A listing is stale `max_age` after its capacity was last confirmed (the directory's rule, see
capacity.py); the network's coordinator wants to call a practice before that, so listings come
soonest-stale first, the already stale at the top (stale longest first). A practice that
confirmed none of its listings within `window` (or never) is named apart: one call covers all
of its services.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from services.followup.measures.domain.capacity import is_stale
from services.followup.measures.domain.facts import Listing


def _stale_at(listing: Listing, max_age: timedelta) -> datetime | None:
    return listing.verified_at + max_age if listing.verified_at else None


def freshness(
    listings: Iterable[Listing], now: datetime, max_age: timedelta, window: timedelta
) -> dict[str, Any]:
    rows = list(listings)
    confirmed = sorted(
        (x for x in rows if x.verified_at is not None),
        key=lambda x: x.verified_at or now,
    )
    last_by_practice: dict[str, datetime | None] = {}
    services_by_practice: dict[str, int] = {}
    for x in rows:
        services_by_practice[x.practice_id] = services_by_practice.get(x.practice_id, 0) + 1
        seen = last_by_practice.get(x.practice_id)
        if x.verified_at is not None and (seen is None or x.verified_at > seen):
            last_by_practice[x.practice_id] = x.verified_at
        else:
            last_by_practice.setdefault(x.practice_id, None)
    silent = [
        {
            "practice_id": practice,
            "last_confirmed_at": last.isoformat() if last else None,
            "services": services_by_practice[practice],
        }
        for practice, last in sorted(
            last_by_practice.items(), key=lambda item: (item[1] is not None, item[1] or now)
        )
        if last is None or now - last > window
    ]
    return {
        "as_of": now.isoformat(),
        "stale_after_hours": max_age / timedelta(hours=1),
        "window_days": window.days,
        "listings": [
            {
                "practice_id": x.practice_id,
                "service_id": x.service_id,
                "level_of_care": x.level_of_care,
                "verified_at": x.verified_at.isoformat() if x.verified_at else None,
                "stale_at": stale_at.isoformat() if (stale_at := _stale_at(x, max_age)) else None,
                "stale": is_stale(x, now, max_age),
            }
            for x in confirmed
        ],
        "never_confirming": silent,
    }
