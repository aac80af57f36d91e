"""Her status page link: issued with her first message, found by the SHA-256 of its token.

The token is 128 bits from the operating system's CSPRNG (`secrets`), URL-safe. The clear token
is never stored: the hash finds the row, and a sealed copy (bound to its referral) lets later
messages carry the same link.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from contracts.lifecycle import ReferralStatus
from services.referral.adapters import referral_repository as repo
from services.referral.domain.patient_status import StatusView
from services.referral.domain.referral import AppointmentLogistics
from warmlink.crypto import Keyring
from warmlink.db import Connection, Executor
from warmlink.rows import from_row

TOKEN_BYTES = 16  # 128 bits
ISSUE = """
INSERT INTO patient_status_links (referral_id, token_sha256, sealed_token, time_zone, issued_at)
VALUES ($1, $2, $3, $4, $5)"""
OF_REFERRAL = "SELECT sealed_token, time_zone FROM patient_status_links WHERE referral_id = $1"
MOVED = "UPDATE patient_status_links SET time_zone = $2 WHERE referral_id = $1"
# What her page may show, and nothing else: no name, no clinical detail.
BY_HASH = """
SELECT r.id, l.time_zone, r.practice_name, r.status, r.updated_at, r.language,
    r.appointment_at, r.appointment_logistics_sealed
FROM patient_status_links l JOIN referrals r ON r.id = l.referral_id
WHERE l.token_sha256 = $1"""


@dataclass(frozen=True)
class StatusLink:
    token: str
    time_zone: str


def token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def _associated(referral_id: UUID) -> bytes:
    return f"patient_status_links.sealed_token:{referral_id}".encode()


async def issue(
    conn: Executor, keyring: Keyring, referral_id: UUID, time_zone: str, now: datetime
) -> str:
    """A new link for the referral, in the caller's transaction; the token, to put in messages."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    sealed = keyring.seal(token.encode(), _associated(referral_id))
    await conn.execute(ISSUE, referral_id, token_hash(token), sealed, time_zone, now)
    return token


async def of_referral(conn: Connection, keyring: Keyring, referral_id: UUID) -> StatusLink | None:
    """The referral's link, opened; None when she was never sent a message."""
    row = await conn.fetchrow(OF_REFERRAL, referral_id)
    if row is None:
        return None
    token = keyring.open(bytes(row["sealed_token"]), _associated(referral_id)).decode()
    return StatusLink(token, row["time_zone"])


async def practice_moved(conn: Connection, referral_id: UUID, time_zone: str) -> None:
    """A redirect: her appointment's time is told in the new practice's zone."""
    await conn.execute(MOVED, referral_id, time_zone)


async def by_hash(
    conn: Connection, keyring: Keyring, sha256: bytes
) -> tuple[UUID, StatusView, AppointmentLogistics | None] | None:
    """(referral id, what her page may show, her appointment's logistics) for a link's hash;
    None when no link has it."""
    row = await conn.fetchrow(BY_HASH, sha256)
    if row is None:
        return None
    view = from_row(StatusView, row, status=ReferralStatus(row["status"]))
    return row["id"], view, repo.logistics(row, keyring)
