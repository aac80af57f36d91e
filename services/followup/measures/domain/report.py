"""Metrics and the monthly report, as JSON-ready dicts, and the report's flat rows (for CSV).

The CSV is a flattening of the JSON, never a second computation, so the two cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from services.followup.measures.domain.facts import Breach, FollowUp, Screen
from services.followup.measures.domain.grouping import GroupBy, Scope
from services.followup.measures.domain.hedis import follow_up_30d_groups
from services.followup.measures.domain.journey import Journey
from services.followup.measures.domain.measures import handoff_comparison, measure_groups

REPORT_GROUPS = (
    GroupBy.NETWORK,
    GroupBy.SETTING,
    GroupBy.METHOD,
    GroupBy.URGENCY,
    GroupBy.LEVEL_OF_CARE,
    GroupBy.SITE,
    GroupBy.PRACTICE,
    GroupBy.WEEK,
)
CSV_COLUMNS = ("month", "section", "group_by", "group", "measure", "value")


@dataclass(frozen=True)
class Facts:
    """What one request needs, loaded for one scope and period."""

    journeys: Sequence[Journey]
    """Referrals submitted in the period (the cohort)."""
    breaches: Sequence[Breach]
    """Breaches of the cohort's referrals."""
    screens: Sequence[Screen]
    """Positive screens screened in the period."""
    screen_journeys: Sequence[Journey]
    """Referrals answering those screens or `patient_screens`, whenever submitted."""
    follow_ups: Sequence[FollowUp]
    """Completed follow-ups of those referrals."""
    patient_screens: Sequence[Screen] = ()
    """Every positive screen of the period's patients, whenever screened."""


@dataclass(frozen=True)
class Context:
    scope: Scope
    tz: ZoneInfo
    now: datetime


def grouped(facts: Facts, ctx: Context, group_by: GroupBy) -> dict[str, Any]:
    groups = measure_groups(facts.journeys, facts.breaches, ctx.scope, group_by, ctx.tz)
    hedis = follow_up_30d_groups(
        facts.screens,
        facts.screen_journeys,
        facts.follow_ups,
        ctx.scope,
        group_by,
        ctx.tz,
        ctx.now,
        facts.patient_screens,
    )
    return {
        "groups": [{"group": g.key, "measures": g.measures} for g in groups],
        "follow_up_30d": None
        if hedis is None
        else [{"group": key} | values for key, values in hedis.items()],
    }


def metrics(facts: Facts, ctx: Context, group_by: GroupBy) -> dict[str, Any]:
    by_method = measure_groups(facts.journeys, facts.breaches, ctx.scope, GroupBy.METHOD, ctx.tz)
    return (
        {"group_by": str(group_by)}
        | grouped(facts, ctx, group_by)
        | {"handoff_comparison": handoff_comparison(by_method)}
    )


def monthly_report(facts: Facts, ctx: Context) -> dict[str, Any]:
    sections = {str(g): grouped(facts, ctx, g) for g in REPORT_GROUPS}
    by_method = measure_groups(facts.journeys, facts.breaches, ctx.scope, GroupBy.METHOD, ctx.tz)
    return {
        "groups": {g: s["groups"] for g, s in sections.items()},
        "follow_up_30d": {
            g: s["follow_up_30d"] for g, s in sections.items() if s["follow_up_30d"] is not None
        },
        "handoff_comparison": handoff_comparison(by_method),
    }


def cell(value: Any) -> str:
    """How a JSON value is written in the CSV."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _flat(prefix: str, values: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    for name, value in values.items():
        if isinstance(value, Mapping):
            yield from _flat(f"{prefix}{name}.", value)
        else:
            yield prefix + name, value


def report_rows(month: str, report: Mapping[str, Any]) -> list[tuple[str, ...]]:
    """One row per group and measure: (month, section, group_by, group, measure, value)."""
    rows: list[tuple[str, ...]] = []
    for group_by, groups in report["groups"].items():
        for g in groups:
            for name, value in _flat("", g["measures"]):
                rows.append((month, "measures", group_by, g["group"], name, cell(value)))
    for group_by, groups in report["follow_up_30d"].items():
        for g in groups:
            for name, value in _flat("", {k: v for k, v in g.items() if k != "group"}):
                rows.append((month, "follow_up_30d", group_by, g["group"], name, cell(value)))
    comparison = report["handoff_comparison"]
    for m in comparison["methods"]:
        for name, value in _flat("", {k: v for k, v in m.items() if k != "method"}):
            rows.append((month, "handoff_comparison", "method", m["method"], name, cell(value)))
    for side in ("warm", "cold"):
        for name, value in _flat("", comparison[side] or {}):
            rows.append((month, "handoff_comparison", side, "all", name, cell(value)))
    if comparison["note"]:
        rows.append((month, "handoff_comparison", "note", "all", "note", comparison["note"]))
    return rows
