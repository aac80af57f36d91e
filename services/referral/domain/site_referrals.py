"""The referring site's own referrals: what the list filters on, how it pages, and the rows of
the monthly completion review. Codes, ids and times only: no names, phone numbers or free text.
Pure."""

from __future__ import annotations

import base64
import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from warmlink.errors import Invalid

MAX_LIMIT = 500


class BadCursor(Invalid):
    def __init__(self) -> None:
        super().__init__("`after` is not a cursor this list gave out.")


@dataclass(frozen=True)
class Cursor:
    """Where a page ended: the list runs newest first by (submitted_at, id), so the next page
    starts strictly after this pair, however many referrals were submitted meanwhile."""

    submitted_at: datetime
    id: UUID

    def encode(self) -> str:
        raw = f"{self.submitted_at.isoformat()}|{self.id}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> Cursor:
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
            at, _, rid = raw.partition("|")
            cursor = cls(datetime.fromisoformat(at), UUID(rid))
        except ValueError:
            raise BadCursor() from None
        if cursor.submitted_at.tzinfo is None:
            raise BadCursor()
        return cursor


@dataclass(frozen=True)
class SiteReferralQuery:
    """The filters; None leaves one out. `submitted_by` is the subject that submitted it (a
    person's `person:<uuid>`, or a machine client's id); `submitted_before` is exclusive."""

    status: str | None = None
    submitted_by: str | None = None
    submitted_from: datetime | None = None
    submitted_before: datetime | None = None
    patient_ref: str | None = None  # exact
    patient_ref_prefix: str | None = None
    limit: int = 50
    after: Cursor | None = None


@dataclass(frozen=True)
class SiteReferral:
    """One referral as the site's list and its monthly review show it."""

    id: UUID
    patient_ref: str
    submitted_at: datetime
    submitted_by: str | None
    urgency: str
    urgency_reason: str | None
    practice_id: str
    practice_name: str
    status: str
    acknowledged_at: datetime | None
    first_appointment_at: datetime | None
    attended_at: datetime | None  # her first attended appointment was recorded then
    closed_reason: str | None  # the practice's closing outcome, or the site's cancel reason

    @property
    def cursor(self) -> Cursor:
        return Cursor(self.submitted_at, self.id)


# The monthly completion review: one row per referral.
CSV_COLUMNS = (
    "patient_ref",
    "submitted_at",
    "urgency",
    "practice",
    "status",
    "acknowledged_at",
    "first_appointment_at",
    "attended",
    "closed_reason",
)


def _when(at: datetime | None) -> str:
    return at.isoformat() if at else ""


def review_row(r: SiteReferral) -> list[str]:
    return [
        r.patient_ref,
        _when(r.submitted_at),
        r.urgency,
        r.practice_name,
        r.status,
        _when(r.acknowledged_at),
        _when(r.first_appointment_at),
        "yes" if r.attended_at else "no",
        r.closed_reason or "",
    ]


def _cell(value: str) -> str:
    # A spreadsheet runs a cell that starts like a formula: a practice's name could.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def review_csv(referrals: Iterable[SiteReferral]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for r in referrals:
        writer.writerow([_cell(v) for v in review_row(r)])
    return out.getvalue()
