"""GET /v1/metrics, GET /v1/metrics/sla-breaches and GET /v1/reports/monthly (JSON or CSV)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Header, Query
from starlette.responses import Response

from services.followup.measures.adapters import queries
from services.followup.measures.domain.breaches import breaches_summary
from services.followup.measures.domain.errors import PeriodOutOfRange
from services.followup.measures.domain.grouping import GroupBy
from services.followup.measures.domain.period import (
    Period,
    days_period,
    month_period,
    span_refusal,
)
from services.followup.measures.domain.report import (
    CSV_COLUMNS,
    Context,
    metrics,
    monthly_report,
    report_rows,
)
from services.followup.measures.entrypoints.deps import (
    NowDep,
    ScopeDep,
    SettingsDep,
    scope_view,
    time_zone,
)
from warmlink.db import ConnectionDep
from warmlink.openapi import CSV_TOO
from warmlink.problems import InvalidInput

router = APIRouter(tags=["measures"])
MONTH = r"^[0-9]{4}-(0[1-9]|1[0-2])$"


@router.get("/v1/metrics")
async def get_metrics(
    conn: ConnectionDep,
    scope: ScopeDep,
    settings: SettingsDep,
    from_: Annotated[date | None, Query(alias="from")] = None,
    to: date | None = None,
    group_by: GroupBy = GroupBy.NETWORK,
) -> dict[str, Any]:
    """Measures of the referrals submitted from `from` to `to` (days, inclusive, network time
    zone; default: this month so far), grouped. Admin: the network; clinic: its own site's
    referrals; practice: its own."""
    if from_ is not None and to is not None and from_ > to:
        raise InvalidInput(
            "from must not be after to.",
            errors=[{"parameter": "from", "detail": "must not be after to"}],
        )
    now = datetime.now(UTC)
    period = _bounded(from_, to, now, time_zone(settings), settings.metrics_max_days)
    facts = await queries.load_facts(conn, scope, period.start, period.end)
    ctx = Context(scope, period.tz, now)
    return {
        "scope": scope_view(scope),
        "period": period.view(),
        "generated_at": now.isoformat(),
    } | metrics(facts, ctx, group_by)


@router.get("/v1/metrics/sla-breaches")
async def get_sla_breaches(
    conn: ConnectionDep,
    scope: ScopeDep,
    settings: SettingsDep,
    now: NowDep,
    day: date | None = None,
    from_: Annotated[date | None, Query(alias="from")] = None,
) -> dict[str, Any]:
    """SLA breaches detected on one day (network time zone; default today), or from `from` to
    that day (inclusive: a coordinator's last week)."""
    # Without a day it is today, not the month so far (days_period's default for a range).
    tz = time_zone(settings)
    day = day or now.astimezone(tz).date()
    if from_ is not None and from_ > day:
        raise InvalidInput(
            "from must not be after day.",
            errors=[{"parameter": "from", "detail": "must not be after day"}],
        )
    period = _bounded(from_ or day, day, now, tz, settings.metrics_max_days, "day")
    found = await queries.breaches_detected(conn, scope, period.start, period.end)
    return {
        "scope": scope_view(scope),
        "day": period.last_day.isoformat(),
        "from": period.first_day.isoformat(),
    } | breaches_summary(found)


def _bounded(
    first: date | None,
    last: date | None,
    now: datetime,
    tz: ZoneInfo,
    max_days: int,
    last_name: str = "to",
) -> Period:
    """The period of days, or 422 naming the parameter at fault (`from`, or `last_name`):
    a day the calendar cannot reach, or a span longer than `max_days`."""
    try:
        refused = span_refusal(period := days_period(first, last, now, tz), max_days)
    except PeriodOutOfRange as out:
        refused = (out.end, out.detail)
    if refused is None:
        return period
    end, why = refused
    parameter = "from" if end == "first" else last_name
    raise InvalidInput(f"{parameter} {why}.", errors=[{"parameter": parameter, "detail": why}])


def _wants_csv(fmt: str | None, accept: str | None) -> bool:
    if fmt is not None:
        return fmt == "csv"
    return "text/csv" in (accept or "")


@router.get("/v1/reports/monthly", response_model=None, responses=CSV_TOO)
async def get_monthly_report(
    conn: ConnectionDep,
    scope: ScopeDep,
    settings: SettingsDep,
    month: Annotated[str, Query(pattern=MONTH, description="YYYY-MM")],
    format: Literal["json", "csv"] | None = None,
    accept: Annotated[str | None, Header()] = None,
) -> dict[str, Any] | Response:
    """The monthly review: every measure by network, setting, method, urgency, level of care,
    site, practice and week, the 30-day follow-up and the warm/cold comparison. CSV (one row per
    group and measure) with `Accept: text/csv` or `format=csv`."""
    now = datetime.now(UTC)
    period = month_period(month, time_zone(settings))
    facts = await queries.load_facts(conn, scope, period.start, period.end)
    report = monthly_report(facts, Context(scope, period.tz, now))
    if _wants_csv(format, accept):
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        writer.writerows(report_rows(month, report))
        return Response(
            out.getvalue(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="warmlink-{month}.csv"'},
        )
    return {
        "month": month,
        "scope": scope_view(scope),
        "period": period.view(),
        "generated_at": now.isoformat(),
    } | report
