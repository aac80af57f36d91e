"""Invitations: an organization's people administrator asks someone by email to join with a
role of her organization. The link's token is random and single-use; only its SHA-256 is kept,
so a copy of the table accepts nothing. The mail carries no PHI: only who invites (Warmlink, for
her organization) and the link."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from urllib.parse import quote
from uuid import UUID

from warmlink.roles import PersonRole, Role

DEFAULT_LIFETIME = timedelta(hours=72)
ISSUER = "Warmlink"


@dataclass(frozen=True)
class InvitationPolicy:
    """How long a link lasts, and the portal's address the link opens."""

    lifetime: timedelta = DEFAULT_LIFETIME
    public_url: str = "http://127.0.0.1:8005"


class Standing(StrEnum):
    PENDING = "pending"
    EXPIRED = "expired"
    ACCEPTED = "accepted"
    REVOKED = "revoked"


@dataclass(frozen=True)
class Invitation:
    id: UUID
    organization_id: str
    role: PersonRole
    access_role: Role
    email: str
    token_sha256: bytes
    totp_secret: str  # opened (sealed at rest): enrolled on the accept page
    invited_by: UUID
    created_at: datetime
    expires_at: datetime
    accepted_at: datetime | None = None
    revoked_at: datetime | None = None

    def standing(self, now: datetime) -> Standing:
        """Used and revoked say so even once expired: the page tells her what happened."""
        if self.accepted_at is not None:
            return Standing.ACCEPTED
        if self.revoked_at is not None:
            return Standing.REVOKED
        if now >= self.expires_at:
            return Standing.EXPIRED
        return Standing.PENDING


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def accept_link(public_url: str, token: str) -> str:
    return f"{public_url.rstrip('/')}/invitations/{token}"


def otpauth_uri(secret: str, email: str) -> str:
    """What an authenticator app scans (Key Uri Format): issuer Warmlink, account her email."""
    label = quote(f"{ISSUER}:{email}", safe="@:")
    return f"otpauth://totp/{label}?secret={secret}&issuer={ISSUER}"


def invitation_mail(link: str, organization_id: str, expires_at: datetime) -> tuple[str, str]:
    """Subject and plain-text body. Nothing about any patient; the link is the only secret."""
    subject = "You are invited to Warmlink"
    until = expires_at.astimezone(UTC)
    body = (
        f"Your organization ({organization_id}) invites you to sign in to Warmlink, the "
        "perinatal mental health referral network.\n\n"
        "To accept, open this link, choose a password and set up your authenticator app:\n\n"
        f"{link}\n\n"
        f"The link works once and until {until:%Y-%m-%d %H:%M} UTC. If you did not expect "
        "this invitation, ignore this message.\n"
    )
    return subject, body
