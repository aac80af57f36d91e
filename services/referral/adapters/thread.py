"""SQL for a referral's message thread. The text is sealed, bound to its referral and message:
a ciphertext copied onto another referral's thread, or another message's row, does not open."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from services.referral.domain.thread import Side, ThreadMessage
from warmlink.crypto import Keyring
from warmlink.db import Connection, Executor
from warmlink.rows import from_row

INSERT_MESSAGE = """
INSERT INTO referral_messages (id, referral_id, side, organization_id, author, role, person_role,
    written_at, sealed)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"""
THREAD = """
SELECT id, referral_id, side, organization_id, author, role, person_role, written_at, sealed
FROM referral_messages WHERE referral_id = $1
ORDER BY written_at, id"""
# Who made the referral: the subject of its first `submit` timeline entry (the portal mails her).
SUBMITTED_BY = """
SELECT actor FROM referral_timeline WHERE referral_id = $1 AND action = 'submit'
ORDER BY id LIMIT 1"""


def _associated(referral_id: UUID, message_id: UUID) -> bytes:
    return f"referral_messages.sealed:{referral_id}:{message_id}".encode()


async def add(conn: Executor, message: ThreadMessage, keyring: Keyring) -> None:
    sealed = keyring.seal(message.text.encode(), _associated(message.referral_id, message.id))
    await conn.execute(
        INSERT_MESSAGE,
        message.id,
        message.referral_id,
        str(message.side),
        message.organization_id,
        message.author,
        message.role,
        message.person_role,
        message.written_at,
        sealed,
    )


def _message(row: asyncpg.Record, keyring: Keyring) -> ThreadMessage:
    text = keyring.open(bytes(row["sealed"]), _associated(row["referral_id"], row["id"]))
    return from_row(ThreadMessage, row, side=Side(row["side"]), text=text.decode())


async def thread(conn: Connection, referral_id: UUID, keyring: Keyring) -> list[ThreadMessage]:
    """The referral's messages, oldest first, opened."""
    return [_message(r, keyring) for r in await conn.fetch(THREAD, referral_id)]


async def submitted_by(conn: Connection, referral_id: UUID) -> str | None:
    found: str | None = await conn.fetchval(SUBMITTED_BY, referral_id)
    return found
