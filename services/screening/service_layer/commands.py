"""Screening handlers: one plain function per command, run inside the caller's transaction."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import asyncpg

from contracts import ScreenPositive, new_event_id
from services.screening.adapters import repository
from services.screening.domain import Thresholds
from services.screening.domain.screening import RecordScreening, Screening, evaluate
from warmlink.audit import trail
from warmlink.auth import Caller
from warmlink.crypto import Keyring
from warmlink.db import Connection
from warmlink.errors import NotFound
from warmlink.outbox import publish_later
from warmlink.roles import reads_audit_trail

PRODUCER = "screening"


async def record_screening(
    conn: Connection,
    command: RecordScreening,
    thresholds: Thresholds,
    keyring: Keyring,
    now: datetime | None = None,
) -> Screening:
    """Score and store a screen; a positive one emits ScreenPositive in the same transaction."""
    screening = evaluate(command, new_event_id(), thresholds, now or datetime.now(UTC))
    await repository.add(conn, screening, keyring)
    if screening.result.positive:
        await publish_later(conn, screen_positive(screening), producer=PRODUCER)
    return screening


async def read_screening_trail(
    conn: Connection, caller: Caller, screening_id: UUID, limit: int
) -> list[asyncpg.Record]:
    """Who read or wrote the screening, newest first: for the recording site's coordinator and
    the network. Anyone else is told there is no such screening, as for one not theirs."""
    site = await repository.site_of(conn, screening_id)
    if site is None or not reads_audit_trail(
        caller.role, caller.person_role, caller.organization_id, site
    ):
        raise NotFound(f"No screening {screening_id} for this organization.")
    return await trail(conn, str(screening_id), limit)


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
