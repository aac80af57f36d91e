"""Alerts, stored: the people an event's notice reaches (with their choices), the alert rows
decided for them (one per event, person and kind: a replay inserts nothing), and what the sender
records of each attempt."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg
import orjson

from services.portal.domain.alert_messages import Sent
from services.portal.domain.alerts import Alert, AlertKind, Channel, QuietHours, Recipient
from warmlink.backoff import exponential_delay
from warmlink.db import Connection, notify_after_commit
from warmlink.roles import PersonRole

CHANNEL = "warmlink_portal_alerts"
RECIPIENTS = """
SELECT p.id, p.role, s.quiet_from, s.quiet_until, s.time_zone, coalesce(s.digest, false) AS digest,
       s.phone IS NOT NULL AS has_phone,
       coalesce(jsonb_object_agg(c.kind, c.channel) FILTER (WHERE c.kind IS NOT NULL), '{}')
           AS channels
FROM people p
LEFT JOIN alert_settings s ON s.person_id = p.id
LEFT JOIN alert_choices c ON c.person_id = p.id
WHERE p.organization_id = $1 AND p.role = ANY($2::text[]) AND p.disabled_at IS NULL
GROUP BY p.id, s.person_id"""
INSERT = """
INSERT INTO alerts (event_id, person_id, kind, organization_id, link, urgent, channel, digest,
                    due_at, created_at)
SELECT $1, *, $10 FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::boolean[],
                               $7::text[], $8::boolean[], $9::timestamptz[])
ON CONFLICT (event_id, person_id, kind) DO NOTHING"""
# One due alert, locked until its attempt is recorded: another sender skips it.
DUE_ONE = """
SELECT a.id, a.person_id, a.kind, a.organization_id AS about, a.link, a.urgent, a.channel,
       a.digest, a.attempts, p.email, p.disabled_at IS NOT NULL AS disabled, s.phone
FROM alerts a JOIN people p ON p.id = a.person_id
LEFT JOIN alert_settings s ON s.person_id = a.person_id
WHERE a.status = 'pending' AND a.due_at <= $1
ORDER BY a.due_at, a.id LIMIT 1 FOR UPDATE OF a SKIP LOCKED"""
# Her other digest alerts that are due, gathered into the same mail.
DIGEST_OF = """
SELECT id, kind, organization_id AS about, link, urgent FROM alerts
WHERE person_id = $1 AND digest AND status = 'pending' AND due_at <= $2
ORDER BY id FOR UPDATE SKIP LOCKED"""
SENT = """
UPDATE alerts SET status = 'sent', sent_at = $2, attempts = attempts + 1, last_error = NULL
WHERE id = ANY($1::bigint[])"""
# Her account was disabled after the alert was decided: it is not sent, and says why.
DROPPED = """
UPDATE alerts SET status = 'dropped', last_error = 'her account is disabled'
WHERE id = ANY($1::bigint[])"""
RETRY = """
UPDATE alerts SET attempts = attempts + 1, due_at = $2, last_error = $3,
    status = CASE WHEN attempts + 1 >= $4 THEN 'failed' ELSE 'pending' END
WHERE id = ANY($1::bigint[])"""
RECENT_OF = """
SELECT id, kind, organization_id AS about, link, urgent, channel, digest, status, attempts,
       due_at, last_error, created_at, sent_at
FROM alerts WHERE person_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2"""
# Across the network: given up, or retrying after a failure.
FAILING = """
SELECT a.id, a.kind, a.organization_id AS about, a.urgent, a.channel, a.status, a.attempts,
       a.last_error, a.created_at, p.email AS person_email, p.organization_id AS person_organization
FROM alerts a JOIN people p ON p.id = a.person_id
WHERE a.status = 'failed' OR (a.status = 'pending' AND a.last_error IS NOT NULL)
ORDER BY a.created_at DESC, a.id DESC LIMIT $1"""
MAX_ATTEMPTS = 10
RETRY_INITIAL_S, RETRY_MAX_S = 5.0, 3600.0


def _recipient(row: asyncpg.Record, network_zone: ZoneInfo) -> Recipient:
    quiet = None
    if row["quiet_from"] is not None and row["quiet_until"] is not None:
        quiet = QuietHours(row["quiet_from"], row["quiet_until"])
    zone = ZoneInfo(row["time_zone"]) if row["time_zone"] else network_zone
    chosen = orjson.loads(row["channels"]) if isinstance(row["channels"], str) else row["channels"]
    channels = {AlertKind(k): Channel(v) for k, v in chosen.items()}
    return Recipient(
        row["id"], PersonRole(row["role"]), channels, quiet, zone, row["digest"], row["has_phone"]
    )


async def recipients(
    conn: Connection, organization_id: str, roles: frozenset[PersonRole], network_zone: ZoneInfo
) -> list[Recipient]:
    rows = await conn.fetch(RECIPIENTS, organization_id, sorted(roles))
    return [_recipient(r, network_zone) for r in rows]


async def add(conn: Connection, event_id: UUID, alerts: list[Alert], now: datetime) -> None:
    """In the consumer's transaction; the sender wakes once it has committed."""
    if not alerts:
        return
    written = await conn.execute(
        INSERT,
        event_id,
        [a.person_id for a in alerts],
        [a.kind.value for a in alerts],
        [a.about for a in alerts],
        [a.link for a in alerts],
        [a.urgent for a in alerts],
        [a.channel.value for a in alerts],
        [a.digest for a in alerts],
        [a.due_at for a in alerts],
        now,
    )
    await notify_after_commit(conn, CHANNEL, written)


@dataclass(frozen=True)
class Due:
    """An alert due now, locked, with where it goes (or its digest, gathered)."""

    ids: list[int]
    person_id: UUID
    channel: Channel
    digest: list[Sent] | None  # None: a single alert
    alert: Sent
    attempts: int
    email: str
    phone: bytes | None
    disabled: bool

    @property
    def message_id(self) -> str:
        """The same for every attempt of the same alert: a sink that keeps each Message-ID once
        keeps one copy of an alert sent again after a crash."""
        return f"<alert-{min(self.ids)}-{max(self.ids)}@warmlink.alerts>"


def _sent(row: asyncpg.Record) -> Sent:
    return Sent(AlertKind(row["kind"]), row["about"], row["link"], row["urgent"])


async def next_due(conn: Connection, now: datetime) -> Due | None:
    row = await conn.fetchrow(DUE_ONE, now)
    if row is None:
        return None
    digest, ids = None, [row["id"]]
    if row["digest"]:
        gathered = await conn.fetch(DIGEST_OF, row["person_id"], now)
        digest = [_sent(r) for r in gathered]
        ids = [r["id"] for r in gathered]
    phone = bytes(row["phone"]) if row["phone"] is not None else None
    return Due(
        ids, row["person_id"], Channel(row["channel"]), digest, _sent(row), row["attempts"],
        row["email"], phone, row["disabled"],
    )  # fmt: skip


async def mark_sent(conn: Connection, due: Due, now: datetime) -> None:
    await conn.execute(SENT, due.ids, now)


async def drop(conn: Connection, due: Due) -> None:
    await conn.execute(DROPPED, due.ids)


async def retry_later(conn: Connection, due: Due, reason: str, now: datetime) -> None:
    """Back off exponentially; after MAX_ATTEMPTS the alert is failed, on the failures page."""
    seconds = exponential_delay(due.attempts + 1, RETRY_INITIAL_S, RETRY_MAX_S)
    await conn.execute(RETRY, due.ids, now + timedelta(seconds=seconds), reason, MAX_ATTEMPTS)


async def recent_of(conn: Connection, person_id: UUID, limit: int = 50) -> list[dict[str, Any]]:
    return [dict(r) for r in await conn.fetch(RECENT_OF, person_id, limit)]


async def failing(conn: Connection, limit: int = 100) -> list[dict[str, Any]]:
    return [dict(r) for r in await conn.fetch(FAILING, limit)]
