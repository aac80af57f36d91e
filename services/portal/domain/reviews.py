"""The coordinators' reviews as they read them: the monthly completion table (one row per
month) and the network's listings going stale, in words. Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from services.portal.domain.handoff import BARRIERS

TABLE_MEASURES = ("referred", "acknowledged", "scheduled", "attended")


def measures_for(report: Mapping[str, Any], site_id: str | None) -> dict[str, Any]:
    """One month's measures from the follow-up service's monthly report: the whole scope
    (a site's coordinator sees her site only), or one site's group of the network's report."""
    if site_id is None:
        groups = report["groups"]["network"]
    else:
        groups = [g for g in report["groups"]["site"] if g["group"] == site_id]
    return groups[0]["measures"] if groups else {}


def month_row(month: str, measures: Mapping[str, Any]) -> dict[str, Any]:
    barriers = measures.get("barriers") or {}
    named = ", ".join(f"{BARRIERS.get(code, code)}: {n}" for code, n in barriers.items())
    rate = measures.get("completion_rate")
    return {
        "month": month,
        **{name: measures.get(name, 0) for name in TABLE_MEASURES},
        "completion": "" if rate is None else f"{round(rate * 100)}%",
        "with_barriers": measures.get("referred_with_barriers", 0),
        "barriers": named,
    }


def site_csv_rows(text: str, site_id: str) -> str:
    """The network's monthly CSV cut to one site's rows (its `site` group), header kept."""
    lines = text.splitlines()
    if not lines:
        return text
    kept = [line for line in lines[1:] if f",site,{site_id}," in line]
    return "\n".join([lines[0], *kept]) + "\n"


def _days(delta: timedelta) -> int:
    return max(1, round(delta / timedelta(days=1)))


def staleness(stale_at: str, now: datetime, zone: ZoneInfo) -> str:
    """'stale in 3 days' or 'stale since 28 Nov', in the coordinator's words and zone."""
    when = datetime.fromisoformat(stale_at)
    if when > now:
        n = _days(when - now)
        return f"stale in {n} day{'s' if n != 1 else ''}"
    return f"stale since {when.astimezone(zone):%d %b %Y}"


def listing_views(
    listings: Sequence[Mapping[str, Any]], now: datetime, within: timedelta, zone: ZoneInfo
) -> list[dict[str, Any]]:
    """Listings stale already or going stale within `within`, soonest first (as served)."""
    views = []
    for x in listings:
        if x["stale_at"] is None or datetime.fromisoformat(x["stale_at"]) - now > within:
            continue
        views.append(dict(x) | {"staleness": staleness(x["stale_at"], now, zone)})
    return views
