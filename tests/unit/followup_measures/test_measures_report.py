"""The monthly report: periods in the network's zone, and the CSV rows flattening the JSON."""

from __future__ import annotations

from datetime import date

from services.followup.measures.domain.grouping import Scope, ScopeKind
from services.followup.measures.domain.journey import fold_all
from services.followup.measures.domain.period import month_period
from services.followup.measures.domain.report import Context, Facts, monthly_report, report_rows
from tests.unit.followup_measures.scenario import BREACHES, STEPS, SUBMISSIONS, TZ, at


def test_month_period_is_midnight_to_midnight_in_the_network_zone() -> None:
    december = month_period("2026-12", TZ)
    assert (december.first_day, december.last_day) == (date(2026, 12, 1), date(2026, 12, 31))
    assert december.start.isoformat() == "2026-12-01T00:00:00-06:00"
    assert december.end.isoformat() == "2027-01-01T00:00:00-06:00"
    # March 2026 starts in CST (-06:00) and ends in CDT (-05:00)
    assert month_period("2026-03", TZ).end.isoformat() == "2026-04-01T00:00:00-05:00"


def test_every_csv_row_is_a_value_of_the_json_report() -> None:
    journeys = fold_all(SUBMISSIONS, STEPS)
    facts = Facts(journeys, BREACHES, [], [], [])
    report = monthly_report(facts, Context(Scope(ScopeKind.NETWORK), TZ, at(12, 1, 12)))
    rows = report_rows("2026-11", report)
    by_key = {(r[1], r[2], r[3], r[4]): r[5] for r in rows}
    assert len(by_key) == len(rows), "one row per section, group and measure"
    assert by_key[("measures", "network", "all", "referred")] == "4"
    assert by_key[("measures", "network", "all", "completion_rate")] == "0.5"
    assert by_key[("measures", "network", "all", "decline_reasons.no_capacity")] == "1"
    assert by_key[("measures", "setting", "ob", "median_days_to_intake")] == "5.5"
    assert by_key[("measures", "practice", "northside-cmhc", "completion_rate")] == ""  # None
    assert by_key[("handoff_comparison", "note", "all", "note")] == "no cold referrals recorded"
    network = report["groups"]["network"][0]["measures"]
    assert by_key[("measures", "network", "all", "median_hours_to_acknowledge")] == str(
        network["median_hours_to_acknowledge"]
    )
