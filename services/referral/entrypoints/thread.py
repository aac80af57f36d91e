"""A referral's message thread between its referring site and its receiving practice: read it
whole (`GET`), add to it (`POST`, with an Idempotency-Key: a double click sends one message).
Anyone else gets the 404 of a referral that is not there."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

import orjson
from fastapi import APIRouter, Header, Request
from fastapi.responses import Response

from services.referral.domain.thread import ThreadMessage
from services.referral.entrypoints.deps import ReferralContext, context
from services.referral.entrypoints.schemas import MessageIn
from services.referral.service_layer.commands.thread import Thread, post_message, read_thread
from warmlink.auth import Caller, Role, require_role
from warmlink.db import ConnectionDep
from warmlink.idempotency import request_hash, run_once

router = APIRouter(prefix="/v1/referrals", tags=["referrals"])
EndDep = Annotated[Caller, require_role(Role.CLINIC, Role.PRACTICE)]
Ctx = Annotated[ReferralContext, context]
IdempotencyKey = Annotated[
    str, Header(alias="Idempotency-Key", description="One key per message; a retry reuses it.")
]


def _written(m: ThreadMessage) -> dict[str, Any]:
    """Who wrote a message and when: ids, codes and a time, no text."""
    return {
        "id": str(m.id),
        "side": str(m.side),
        "organization_id": m.organization_id,
        "author": m.author,
        "role": m.role,
        "person_role": m.person_role,
        "written_at": m.written_at.isoformat(),
    }


def _ends(t: Thread) -> dict[str, Any]:
    return {
        "referral_id": str(t.referral_id),
        "site_id": t.site_id,
        "practice_id": t.practice_id,
        "submitted_by": t.submitted_by,
    }


@router.get("/{referral_id}/messages")
async def get_messages(
    referral_id: UUID, conn: ConnectionDep, caller: EndDep, ctx: Ctx
) -> dict[str, Any]:
    """The thread, oldest first, for the referring site and the practice that owns the referral
    now; the read audited."""
    async with conn.transaction():
        thread = await read_thread(conn, ctx.keyring, caller, referral_id)
    items = [_written(m) | {"text": m.text} for m in thread.messages]
    return _ends(thread) | {"items": items, "count": len(items)}


@router.post("/{referral_id}/messages", status_code=201)
async def post_messages(
    referral_id: UUID,
    body: MessageIn,
    request: Request,
    conn: ConnectionDep,
    caller: EndDep,
    ctx: Ctx,
    idempotency_key: IdempotencyKey,
) -> Response:
    """Add a message; the answer is the thread's ends and who wrote the message when, without
    its text (the portal mails the other end that one is waiting). A replay with the same key
    answers the first result."""
    fingerprint = request_hash(request.method, request.url.path, await request.body())

    async def write() -> tuple[int, Any]:
        message, ends = await post_message(
            conn, ctx.keyring, caller, referral_id, body.text, datetime.now(UTC)
        )
        # No text: the answer is kept (unsealed) with the Idempotency-Key to be replayed.
        return 201, _ends(ends) | {"message": _written(message)}

    status, answer, replayed = await run_once(
        conn,
        organization_id=caller.organization_id,
        key=idempotency_key,
        fingerprint=fingerprint,
        run=write,
    )
    headers = {"Idempotent-Replayed": "true"} if replayed else {}
    return Response(orjson.dumps(answer), status, headers, media_type="application/json")
