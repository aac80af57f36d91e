"""The portal's outgoing mail, stored: written sealed in the transaction of what it announces,
sent by `workers/outgoing_mail.py` after the commit, retried with back-off, then kept only as a
record (the sealed message is dropped once sent: an invitation's link accepts it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

import orjson

from warmlink.backoff import exponential_delay
from warmlink.crypto import CannotOpen, Keyring
from warmlink.db import Connection, notify_after_commit
from warmlink.rows import from_row

CHANNEL = "warmlink_portal_mail"
QUEUE = """
INSERT INTO outgoing_mail (kind, about, sealed, next_attempt_at, created_at)
VALUES ($1, $2, $3, $4, $4)"""
# Once per `about` for the kinds a unique index guards (migration 021: referral messages).
QUEUE_ONCE = """
INSERT INTO outgoing_mail (kind, about, sealed, next_attempt_at, created_at)
VALUES ($1, $2, $3, $4, $4)
ON CONFLICT (about) WHERE kind = 'referral_message' DO NOTHING
RETURNING id"""
# A resent invitation's earlier mail, not yet sent, would carry a link that no longer works.
DROP_UNSENT = """
UPDATE outgoing_mail SET status = 'failed', sealed = NULL, last_error = 'superseded'
WHERE about = $1 AND status = 'pending'"""
DUE = """
SELECT id, kind, about, sealed, attempts FROM outgoing_mail
WHERE status = 'pending' AND next_attempt_at <= $1
ORDER BY id LIMIT 20 FOR UPDATE SKIP LOCKED"""
SENT = """
UPDATE outgoing_mail SET status = 'sent', sent_at = $2, attempts = attempts + 1, sealed = NULL
WHERE id = $1"""
RETRY = """
UPDATE outgoing_mail SET attempts = attempts + 1, next_attempt_at = $2, last_error = $3,
    status = CASE WHEN attempts + 1 >= $4 THEN 'failed' ELSE 'pending' END
WHERE id = $1"""
UNSENDABLE = """
UPDATE outgoing_mail SET status = 'failed', attempts = attempts + 1, sealed = NULL,
    last_error = 'sealed message cannot be opened'
WHERE id = $1"""
MAX_ATTEMPTS = 10
RETRY_INITIAL_S, RETRY_MAX_S = 5.0, 3600.0  # 5 s after the first failure, at most an hour


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str


@dataclass(frozen=True)
class PendingMail:
    """A queued message that is due, still sealed."""

    id: int
    kind: str
    about: UUID
    sealed: bytes
    attempts: int


def _bound_to(about: UUID) -> bytes:
    """A sealed message opens in the rows of its own invitation only."""
    return f"outgoing_mail:{about}".encode()


async def queue(
    conn: Connection, keyring: Keyring, kind: str, about: UUID, mail: Mail, now: datetime
) -> None:
    """In the caller's transaction; the sender wakes once it has committed."""
    message = orjson.dumps({"to": mail.to, "subject": mail.subject, "body": mail.body})
    await conn.execute(QUEUE, kind, about, keyring.seal(message, _bound_to(about)), now)
    await notify_after_commit(conn, CHANNEL)


async def queue_once(
    conn: Connection, keyring: Keyring, kind: str, about: UUID, mail: Mail, now: datetime
) -> bool:
    """As `queue`, unless a mail about `about` is already queued or sent: False then."""
    message = orjson.dumps({"to": mail.to, "subject": mail.subject, "body": mail.body})
    sealed = keyring.seal(message, _bound_to(about))
    queued = await conn.fetchval(QUEUE_ONCE, kind, about, sealed, now) is not None
    if queued:
        await notify_after_commit(conn, CHANNEL)
    return queued


async def drop_unsent(conn: Connection, about: UUID) -> None:
    await conn.execute(DROP_UNSENT, about)


async def due(conn: Connection, now: datetime) -> list[PendingMail]:
    """The next due messages, locked for this transaction; other senders skip them."""
    return [from_row(PendingMail, r, sealed=bytes(r["sealed"])) for r in await conn.fetch(DUE, now)]


def opened(keyring: Keyring, pending: PendingMail) -> Mail | None:
    """None when it cannot be opened: a key gone from the keyring, or a tampered row."""
    try:
        found = orjson.loads(keyring.open(pending.sealed, _bound_to(pending.about)))
    except CannotOpen:
        return None
    return Mail(str(found["to"]), str(found["subject"]), str(found["body"]))


async def mark_sent(conn: Connection, pending: PendingMail, now: datetime) -> None:
    await conn.execute(SENT, pending.id, now)


async def mark_unsendable(conn: Connection, pending: PendingMail) -> None:
    await conn.execute(UNSENDABLE, pending.id)


async def retry_later(conn: Connection, pending: PendingMail, reason: str, now: datetime) -> None:
    """Back off exponentially; after MAX_ATTEMPTS the message is failed for good."""
    seconds = exponential_delay(pending.attempts + 1, RETRY_INITIAL_S, RETRY_MAX_S)
    await conn.execute(RETRY, pending.id, now + timedelta(seconds=seconds), reason, MAX_ATTEMPTS)
