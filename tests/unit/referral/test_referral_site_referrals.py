"""The site's list: its cursor survives the round trip and refuses anything else; the review's
CSV has the review's columns and no cell a spreadsheet would run."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import UTC, datetime
from uuid import uuid4

import pytest

from services.referral.domain.site_referrals import (
    CSV_COLUMNS,
    BadCursor,
    Cursor,
    SiteReferral,
    review_csv,
)

AT = datetime(2026, 12, 1, 15, 30, tzinfo=UTC)
REFERRAL = SiteReferral(
    id=uuid4(),
    patient_ref="pt-1",
    submitted_at=AT,
    submitted_by="person:x",
    urgency="routine",
    urgency_reason=None,
    practice_id="bloom-therapy",
    practice_name="Bloom Perinatal Therapy",
    status="closed",
    acknowledged_at=AT,
    first_appointment_at=AT,
    attended_at=AT,
    closed_reason="in_care",
)


def test_a_cursor_comes_back_as_it_went_out() -> None:
    cursor = Cursor(AT, uuid4())
    assert Cursor.decode(cursor.encode()) == cursor


@pytest.mark.parametrize("text", ["", "nonsense", "MjAyNi0xMi0wMXwx", "MjAyNi0xMi0wMVQxMDowMHx4"])
def test_anything_else_is_refused(text: str) -> None:
    with pytest.raises(BadCursor):
        Cursor.decode(text)


def test_the_review_csv_has_its_columns_and_defuses_formulas() -> None:
    risky = replace(REFERRAL, practice_name="=HYPERLINK(1)", attended_at=None)
    rows = list(csv.reader(io.StringIO(review_csv([REFERRAL, risky]))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert rows[1] == [
        "pt-1",
        AT.isoformat(),
        "routine",
        "Bloom Perinatal Therapy",
        "closed",
        AT.isoformat(),
        AT.isoformat(),
        "yes",
        "in_care",
    ]
    assert rows[2][3] == "'=HYPERLINK(1)" and rows[2][7] == "no"
