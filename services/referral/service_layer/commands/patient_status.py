"""Her status page, asked for by the portal (`GET /v1/patient-status/{sha256}`): found by the
link's hash, refused the same way whether the link never existed or has expired, and every
opening audited with the actor `patient-status-link` (she has no account to name)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.referral.adapters import patient_status_links as links
from services.referral.domain.errors import StatusLinkNotFound
from services.referral.domain.patient_status import expired, status_page
from warmlink.audit import audit
from warmlink.auth import Caller, Role
from warmlink.crypto import Keyring
from warmlink.db import Connection

# Who opened it, in the audit trail: the holder of her link, through the portal.
STATUS_LINK = Caller("patient-status-link", "warmlink-network", Role.ADMIN)


async def open_status_page(
    conn: Connection, keyring: Keyring, sha256: bytes, now: datetime
) -> dict[str, Any]:
    found = await links.by_hash(conn, keyring, sha256)
    if found is None or expired(found[1], now):
        raise StatusLinkNotFound()
    referral_id, view, logistics = found
    await audit(conn, STATUS_LINK, "read", "referral_status", str(referral_id), "status_page")
    return status_page(view, logistics)
