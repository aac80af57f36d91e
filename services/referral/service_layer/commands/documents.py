"""Documents that travel with a referral: the IOP team attaches the discharge summary, the
receiving practice reads it. Sealed at rest; every write and read audited with the caller, in
the same transaction; the event says when it was delivered, never what it says."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from contracts import DischargeSummaryDelivered
from contracts.codes import Setting
from services.referral.adapters import documents
from services.referral.adapters import referral_repository as repo
from services.referral.adapters.documents import Document
from services.referral.domain.errors import NoDischargeSummary, NotAnIopReferral
from services.referral.service_layer.commands.access import visible_referral
from services.referral.service_layer.commands.announce import PRODUCER
from warmlink.audit import audit
from warmlink.auth import Caller
from warmlink.crypto import Keyring
from warmlink.db import Connection
from warmlink.outbox import publish_later

RECORD = "referral_discharge_summary"


async def attach_discharge_summary(
    conn: Connection,
    keyring: Keyring,
    caller: Caller,
    referral_id: UUID,
    doc: Document,
    now: datetime,
) -> None:
    """The referring site's IOP/PHP team attaches (or replaces) the discharge summary; from
    this commit the practice can read it, and `DischargeSummaryDelivered` says so."""
    row = await visible_referral(conn, caller, referral_id, owner="site_id", lock=True)
    referral = repo.to_referral(row)
    if referral.setting != Setting.IOP_PHP:
        raise NotAnIopReferral(referral_id)
    await documents.put_summary(conn, referral_id, doc, keyring, now, caller.subject)
    await audit(conn, caller, "write", RECORD, str(referral_id))
    event = DischargeSummaryDelivered(
        referral_id=referral_id,
        site_id=referral.site_id,
        practice_id=referral.practice_id,
        delivered_at=now,
    )
    await publish_later(conn, event, producer=PRODUCER)


async def read_discharge_summary(
    conn: Connection, keyring: Keyring, caller: Caller, referral_id: UUID
) -> Document:
    """The summary for the practice that owns the referral now; another organization gets the
    same NotFound as for a referral that does not exist."""
    await visible_referral(conn, caller, referral_id, owner="practice_id")
    doc = await documents.summary(conn, referral_id, keyring)
    if doc is None:
        raise NoDischargeSummary(referral_id)
    await audit(conn, caller, "read", RECORD, str(referral_id))
    return doc
