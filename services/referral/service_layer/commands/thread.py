"""The message thread between a referral's referring site and its receiving practice (HL7 360X's
interim communications). Only those two organizations see it: the practice that owns the referral
*now* (after a redirect, the new one), and the site that made it; anyone else gets the NotFound
of a referral that does not exist. Each read and each write is audited with the caller, in the
same transaction. Nothing is announced: an event would carry the text or invite a reader of it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from services.referral.adapters import thread as store
from services.referral.domain.thread import ThreadMessage, message_text, side_of
from services.referral.service_layer.commands.access import visible_referral
from warmlink.audit import audit
from warmlink.auth import Caller
from warmlink.crypto import Keyring
from warmlink.db import Connection

RECORD = "referral_messages"


@dataclass(frozen=True)
class Thread:
    """A referral's messages and who is at each end: the portal mails the other end's people."""

    referral_id: UUID
    site_id: str
    practice_id: str
    submitted_by: str | None  # the subject that made the referral (person:<uuid> or a client)
    messages: list[ThreadMessage]


async def read_thread(
    conn: Connection, keyring: Keyring, caller: Caller, referral_id: UUID
) -> Thread:
    row = await visible_referral(conn, caller, referral_id)
    messages = await store.thread(conn, referral_id, keyring)
    await audit(conn, caller, "read", RECORD, str(referral_id))
    return Thread(
        referral_id,
        row["site_id"],
        row["practice_id"],
        await store.submitted_by(conn, referral_id),
        messages,
    )


async def post_message(
    conn: Connection,
    keyring: Keyring,
    caller: Caller,
    referral_id: UUID,
    text: str,
    now: datetime,
) -> tuple[ThreadMessage, Thread]:
    """Add her message to the thread; returns it with the thread's ends (not its other texts,
    which this write did not read)."""
    kept = message_text(text)
    row = await visible_referral(conn, caller, referral_id)
    message = ThreadMessage(
        id=uuid.uuid4(),
        referral_id=referral_id,
        side=side_of(caller.organization_id, row["site_id"]),
        organization_id=caller.organization_id,
        author=caller.subject,
        role=str(caller.role),
        person_role=str(caller.person_role) if caller.person_role is not None else None,
        written_at=now,
        text=kept,
    )
    await store.add(conn, message, keyring)
    await audit(conn, caller, "write", RECORD, str(referral_id))
    ends = Thread(
        referral_id,
        row["site_id"],
        row["practice_id"],
        await store.submitted_by(conn, referral_id),
        [],
    )
    return message, ends
