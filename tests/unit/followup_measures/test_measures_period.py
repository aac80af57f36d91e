"""Periods the calendar cannot count are refused as input, not crashed on (a fuzz run's 500s:
`GET /v1/reports/monthly?month=0000-01`, `GET /v1/metrics?to=9999-12-31`)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from services.followup.measures.domain.errors import PeriodOutOfRange
from services.followup.measures.domain.period import days_period, month_period

TZ = ZoneInfo("America/Chicago")
NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)


@pytest.mark.parametrize("month", ["0000-01", "9999-12", "1899-12", "3000-01"])
def test_a_month_out_of_range_is_invalid_input(month: str) -> None:
    with pytest.raises(PeriodOutOfRange):
        month_period(month, TZ)


@pytest.mark.parametrize(
    ("first", "last"),
    [(None, date(9999, 12, 31)), (date(1, 1, 1), date(1, 1, 2)), (None, date.max)],
)
def test_days_out_of_range_are_invalid_input(first: date | None, last: date) -> None:
    with pytest.raises(PeriodOutOfRange):
        days_period(first, last, NOW, TZ)


def test_the_edges_of_the_range_are_counted() -> None:
    assert month_period("1900-01", TZ).start == datetime(1900, 1, 1, tzinfo=TZ)
    assert month_period("2999-12", TZ).end == datetime(3000, 1, 1, tzinfo=TZ)
    period = days_period(date(1900, 1, 1), date(2999, 12, 31), NOW, TZ)
    assert (period.first_day, period.last_day) == (date(1900, 1, 1), date(2999, 12, 31))
