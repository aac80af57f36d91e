"""JSON views of listings and matches (dataclasses -> plain JSON, with freshness spelled out)."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Any

import orjson

from services.directory.domain.freshness import age_hours, freshness
from services.directory.domain.matching import MatchResult
from services.directory.domain.model import ObservedBehaviour, Organization


def plain(value: Any) -> Any:
    """Dataclasses, enums, sets and dates as JSON-ready values (sets sorted, for stable output)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, frozenset | set):
        return sorted(plain(v) for v in value)
    if isinstance(value, tuple | list):
        return [plain(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def listing_view(
    org: Organization, observed: ObservedBehaviour, now: datetime, max_age: timedelta
) -> dict[str, Any]:
    view: dict[str, Any] = plain(org)
    for service, out in zip(org.services, view["services"], strict=True):
        out["capacity_freshness"] = freshness(service.capacity, now, max_age).value
        out["capacity_age_hours"] = age_hours(service.capacity, now)
        # When the numbers turn stale unless confirmed again: a practice's page says "stale in
        # 2 days" by the directory's own rule, not a copy of it.
        out["capacity_stale_at"] = (
            (service.capacity.verified_at + max_age).isoformat() if service.capacity else None
        )
    if org.is_practice:
        view["observed"] = plain(observed)
    return view


def _sets(value: Any) -> Any:
    if isinstance(value, frozenset | set):
        return sorted(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def matches_json(result: MatchResult) -> bytes:
    """orjson serialises the dataclasses, dates and enums natively: matching is a hot path."""
    excluded = [{"service_id": s, "reason": r} for s, r in result.excluded]
    body = {
        "matches": result.matches,
        "crisis_resources": result.crisis_resources,
        "fallback": result.fallback,
        "excluded": excluded,
        "partners_not_fitting": result.partners_not_fitting,
    }
    return orjson.dumps(body, default=_sets)
