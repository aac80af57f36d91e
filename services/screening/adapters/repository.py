"""SQL for screenings. Every query of a screening is scoped by organization: another site's screen
is not found. Only the site that recorded one is read unscoped, to decide who may read its trail."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import asyncpg
import orjson

from contracts.codes import Period
from services.screening.domain.interpretation import Interpretation
from services.screening.domain.scoring import ScoreResult
from services.screening.domain.screening import Screening
from warmlink.crypto import Keyring
from warmlink.db import Connection
from warmlink.rows import from_row

INSERT_SCREENING = """
INSERT INTO screenings (id, organization_id, recorded_by, patient_ref, instrument,
                        answers_sealed, total, band, positive, urgent, setting, screened_at,
                        period, positive_at, probable_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"""

SELECT_SCREENING = """
SELECT * FROM screenings WHERE id = $1 AND organization_id = $2"""
SELECT_SITE = "SELECT organization_id FROM screenings WHERE id = $1"
# Rows stored before answers were sealed (migration 004); SKIP LOCKED: several workers at start.
ANSWERS_IN_CLEAR = """
SELECT id, answers, item_scores FROM screenings WHERE answers IS NOT NULL
ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED"""
SEAL_ANSWERS = """
UPDATE screenings SET answers_sealed = $2, answers = NULL, item_scores = NULL WHERE id = $1"""


def answers_bound_to(screening_id: object) -> bytes:
    """Sealed answers open in their own screening's row only."""
    return f"screenings.answers_sealed:{screening_id}".encode()


def _sealed_answers(
    keyring: Keyring, screening_id: UUID, answers: Sequence[int], item_scores: Sequence[int]
) -> bytes:
    plain = orjson.dumps({"answers": list(answers), "item_scores": list(item_scores)})
    return keyring.seal(plain, answers_bound_to(screening_id))


def _answers(row: asyncpg.Record, keyring: Keyring) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(answers, item scores): opened, or as stored in clear by a row the backfill has not
    reached yet."""
    if row["answers_sealed"] is None:
        return tuple(row["answers"]), tuple(row["item_scores"])
    opened = orjson.loads(keyring.open(bytes(row["answers_sealed"]), answers_bound_to(row["id"])))
    return tuple(opened["answers"]), tuple(opened["item_scores"])


async def seal_answers_in_clear(conn: Connection, keyring: Keyring, limit: int) -> int:
    """Seal up to `limit` rows' clear answers and empty them (in the caller's transaction)."""
    rows = await conn.fetch(ANSWERS_IN_CLEAR, limit)
    for row in rows:
        sealed = _sealed_answers(keyring, row["id"], row["answers"], row["item_scores"])
        await conn.execute(SEAL_ANSWERS, row["id"], sealed)
    return len(rows)


async def add(conn: Connection, s: Screening, keyring: Keyring) -> None:
    r = s.result
    applied = r.interpretation
    await conn.execute(
        INSERT_SCREENING,
        s.id,
        s.organization_id,
        s.recorded_by,
        s.patient_ref,
        r.instrument,
        _sealed_answers(keyring, s.id, s.answers, r.item_scores),
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


async def get(
    conn: Connection, screening_id: UUID, organization_id: str, keyring: Keyring
) -> Screening | None:
    row = await conn.fetchrow(SELECT_SCREENING, screening_id, organization_id)
    if row is None:
        return None
    answers, item_scores = _answers(row, keyring)
    interpretation = None
    if row["positive_at"] is not None:  # NULL: scored before interpretations were kept
        period = Period(row["period"]) if row["period"] else None
        interpretation = from_row(Interpretation, row, period=period)
    result = from_row(ScoreResult, row, item_scores=item_scores, interpretation=interpretation)
    return from_row(Screening, row, answers=answers, result=result)


async def site_of(conn: Connection, screening_id: UUID) -> str | None:
    """The organization that recorded the screening, whoever asks (ids only, no results)."""
    site: str | None = await conn.fetchval(SELECT_SITE, screening_id)
    return site
