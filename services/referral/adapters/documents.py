"""SQL for the documents that travel with a referral: the sealed IOP/PHP discharge summary."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from warmlink.crypto import Keyring
from warmlink.db import Connection, Executor

UPSERT_SUMMARY = """
INSERT INTO discharge_summaries
    (referral_id, content_type, size_bytes, sealed, attached_at, attached_by)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (referral_id) DO UPDATE SET
    content_type = EXCLUDED.content_type, size_bytes = EXCLUDED.size_bytes,
    sealed = EXCLUDED.sealed, attached_at = EXCLUDED.attached_at,
    attached_by = EXCLUDED.attached_by"""
SELECT_SUMMARY = "SELECT content_type, sealed FROM discharge_summaries WHERE referral_id = $1"


@dataclass(frozen=True)
class Document:
    content_type: str
    content: bytes


def _associated(referral_id: UUID) -> bytes:
    # Binds the ciphertext to its row: a summary copied onto another referral does not open.
    return f"discharge_summaries.sealed:{referral_id}".encode()


async def put_summary(
    conn: Executor,
    referral_id: UUID,
    doc: Document,
    keyring: Keyring,
    at: datetime,
    by: str,
) -> None:
    sealed = keyring.seal(doc.content, _associated(referral_id))
    await conn.execute(
        UPSERT_SUMMARY, referral_id, doc.content_type, len(doc.content), sealed, at, by
    )


async def summary(conn: Connection, referral_id: UUID, keyring: Keyring) -> Document | None:
    row = await conn.fetchrow(SELECT_SUMMARY, referral_id)
    if row is None:
        return None
    return Document(
        row["content_type"], keyring.open(bytes(row["sealed"]), _associated(referral_id))
    )
