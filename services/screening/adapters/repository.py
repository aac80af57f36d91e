"""SQL for screenings. Every query of a screening is scoped by organization: another site's screen
is not found. Only the site that recorded one is read unscoped, to decide who may read its trail."""

from __future__ import annotations

from uuid import UUID

from contracts.codes import Period
from services.screening.domain.interpretation import Interpretation
from services.screening.domain.scoring import ScoreResult
from services.screening.domain.screening import Screening
from warmlink.db import Connection
from warmlink.rows import from_row

INSERT_SCREENING = """
INSERT INTO screenings (id, organization_id, recorded_by, patient_ref, instrument, answers,
                        item_scores, total, band, positive, urgent, setting, screened_at,
                        period, positive_at, probable_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"""

SELECT_SCREENING = """
SELECT * FROM screenings WHERE id = $1 AND organization_id = $2"""
SELECT_SITE = "SELECT organization_id FROM screenings WHERE id = $1"


async def add(conn: Connection, s: Screening) -> None:
    r = s.result
    applied = r.interpretation
    await conn.execute(
        INSERT_SCREENING,
        s.id,
        s.organization_id,
        s.recorded_by,
        s.patient_ref,
        r.instrument,
        list(s.answers),
        list(r.item_scores),
        r.total,
        r.band,
        r.positive,
        r.urgent,
        s.setting,
        s.screened_at,
        s.period.value if s.period else None,
        applied.positive_at if applied else None,
        applied.probable_at if applied else None,
    )


async def get(conn: Connection, screening_id: UUID, organization_id: str) -> Screening | None:
    row = await conn.fetchrow(SELECT_SCREENING, screening_id, organization_id)
    if row is None:
        return None
    interpretation = None
    if row["positive_at"] is not None:  # NULL: scored before interpretations were kept
        period = Period(row["period"]) if row["period"] else None
        interpretation = from_row(Interpretation, row, period=period)
    result = from_row(
        ScoreResult, row, item_scores=tuple(row["item_scores"]), interpretation=interpretation
    )
    return from_row(Screening, row, answers=tuple(row["answers"]), result=result)


async def site_of(conn: Connection, screening_id: UUID) -> str | None:
    """The organization that recorded the screening, whoever asks (ids only, no results)."""
    site: str | None = await conn.fetchval(SELECT_SITE, screening_id)
    return site
