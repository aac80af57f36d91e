"""Screening handlers: one plain function per command, run inside the caller's transaction."""

from __future__ import annotations

from datetime import UTC, datetime

from contracts import ScreenPositive, new_event_id
from services.screening.adapters import repository
from services.screening.domain import Thresholds
from services.screening.domain.screening import RecordScreening, Screening, evaluate
from warmlink.db import Connection
from warmlink.outbox import publish_later

PRODUCER = "screening"


async def record_screening(
    conn: Connection,
    command: RecordScreening,
    thresholds: Thresholds,
    now: datetime | None = None,
) -> Screening:
    """Score and store a screen; a positive one emits ScreenPositive in the same transaction."""
    screening = evaluate(command, new_event_id(), thresholds, now or datetime.now(UTC))
    await repository.add(conn, screening)
    if screening.result.positive:
        await publish_later(conn, screen_positive(screening), producer=PRODUCER)
    return screening


def screen_positive(s: Screening) -> ScreenPositive:
    applied = s.result.interpretation
    return ScreenPositive(
        screening_id=s.id,
        site_id=s.organization_id,
        patient_ref=s.patient_ref,
        instrument=s.result.instrument,
        total=s.result.total,
        band=s.result.band,
        urgent=s.result.urgent,
        setting=s.setting,
        screened_at=s.screened_at,
        period=s.period,
        positive_cutoff=applied.positive_at if applied else None,
    )
