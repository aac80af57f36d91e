"""The site accounts for a positive screen: a safety assessment, a closure with a coded reason.

Each runs inside the caller's transaction: the worklist's change, the screen's timeline entry,
the audit rows (the screen's item, the sealed note) and the integration event (outbox) commit
together or not at all.
The note never leaves the sealed column: not into the event, the timeline or a log.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from contracts import PositiveScreenClosed, SafetyAssessmentRecorded
from contracts.codes import SafetyAssessmentOutcome
from services.referral.adapters import screen_accounting as screens
from services.referral.domain.errors import ScreenNotFound
from services.referral.domain.worklist import (
    CloseScreen,
    WorklistItem,
    assessment_allowed,
    closure_allowed,
)
from warmlink.audit import audit
from warmlink.auth import Caller
from warmlink.crypto import Keyring
from warmlink.db import Connection
from warmlink.outbox import publish_later

PRODUCER = "referral"
# A site's worklist item: her patient reference and screen result, keyed by the screening id.
WORKLIST_RECORD = "worklist_item"


async def _site_item(conn: Connection, caller: Caller, screening_id: UUID) -> WorklistItem:
    item = await screens.site_item(conn, screening_id, caller.organization_id, lock=True)
    if item is None:
        raise ScreenNotFound(screening_id)
    return item


async def record_safety_assessment(
    conn: Connection,
    caller: Caller,
    screening_id: UUID,
    outcome: SafetyAssessmentOutcome,
    now: datetime,
) -> WorklistItem:
    """Record (or record again) the safety assessment of a screen that is not closed."""
    item = await _site_item(conn, caller, screening_id)
    assessment_allowed(item)
    await screens.assess(conn, screening_id, outcome.value, now, caller.subject)
    by, site = caller.subject, caller.organization_id
    await screens.append(conn, screening_id, now, "safety_assessment", by, site, outcome)
    await audit(conn, caller, "write", WORKLIST_RECORD, str(screening_id))
    event = SafetyAssessmentRecorded(
        screening_id=screening_id,
        site_id=item.site_id,
        outcome=outcome,
        urgent=item.urgent,
        assessed_at=now,
    )
    await publish_later(conn, event, producer=PRODUCER)
    return await _site_item(conn, caller, screening_id)


async def close_screen(
    conn: Connection, caller: Caller, command: CloseScreen, keyring: Keyring, now: datetime
) -> WorklistItem:
    """Close a screen nobody will refer; repeating the same closure changes nothing."""
    item = await _site_item(conn, caller, command.screening_id)
    if not closure_allowed(item, command):
        return item
    sid = command.screening_id
    await screens.close(conn, sid, command.reason.value, command.note, keyring, now, caller.subject)
    await audit(conn, caller, "write", WORKLIST_RECORD, str(sid))
    if command.note:
        await audit(conn, caller, "write", "worklist_closure_note", str(sid))
    await screens.append(
        conn, sid, now, "closed", caller.subject, caller.organization_id, command.reason
    )
    event = PositiveScreenClosed(
        screening_id=sid,
        site_id=item.site_id,
        reason=command.reason,
        urgent=item.urgent,
        safety_assessment=item.safety_outcome,
        closed_at=now,
    )
    await publish_later(conn, event, producer=PRODUCER)
    return await _site_item(conn, caller, sid)
