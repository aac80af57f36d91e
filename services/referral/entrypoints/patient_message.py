"""What she hears: the panel for the patient, in her language, and sending it to her phone or
inbox (with an Idempotency-Key: a double click sends one message)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

import orjson
from fastapi import APIRouter, Header, Request
from fastapi.responses import Response

from services.referral.domain.patient_panel import PatientPanel
from services.referral.entrypoints.deps import ReferralContext, context
from services.referral.service_layer.commands.patient_message import (
    CHANNEL_NAMES,
    patient_panel_for,
    send_patient_message,
)
from services.referral.service_layer.commands.patient_messages import message_deliveries
from warmlink.auth import Caller, Role, require_role
from warmlink.db import ConnectionDep
from warmlink.idempotency import request_hash, run_once

router = APIRouter(prefix="/v1/referrals", tags=["referrals"])
ClinicDep = Annotated[Caller, require_role(Role.CLINIC)]
EitherDep = Annotated[Caller, require_role(Role.CLINIC, Role.PRACTICE)]
Ctx = Annotated[ReferralContext, context]
IdempotencyKey = Annotated[
    str, Header(alias="Idempotency-Key", description="One key per send; a retry reuses it.")
]


def _view(panel: PatientPanel, channel: str) -> dict[str, Any]:
    return asdict(panel) | {"send_channel": CHANNEL_NAMES.get(channel)}


@router.get("/{referral_id}/patient-message")
async def get_patient_message(
    referral_id: UUID, conn: ConnectionDep, caller: ClinicDep, ctx: Ctx
) -> dict[str, Any]:
    """The panel written for her: the practice, when it will call and from which number, and
    the crisis lines, in her language. `send_channel`: `sms`, `email` or None (nothing is sent
    to patients in this network)."""
    return _view(await patient_panel_for(conn, caller, referral_id), ctx.patient_channel)


@router.post("/{referral_id}/patient-message", status_code=202)
async def post_patient_message(
    referral_id: UUID,
    request: Request,
    conn: ConnectionDep,
    caller: ClinicDep,
    ctx: Ctx,
    idempotency_key: IdempotencyKey,
) -> Response:
    """Send her the panel by the network's channel: queued now, sent after commit. 409 when
    the network sends nothing to patients or she gave no contact on its channel."""
    fingerprint = request_hash(request.method, request.url.path, await request.body())

    async def send() -> tuple[int, Any]:
        panel = await send_patient_message(
            conn, caller, referral_id, ctx.keyring, ctx.patient_channel, datetime.now(UTC)
        )
        return 202, {"queued": True, "channel": CHANNEL_NAMES[ctx.patient_channel]} | {
            "language": panel.language
        }

    status, body, replayed = await run_once(
        conn,
        organization_id=caller.organization_id,
        key=idempotency_key,
        fingerprint=fingerprint,
        run=send,
    )
    headers = {"Idempotent-Replayed": "true"} if replayed else {}
    return Response(orjson.dumps(body), status, headers, media_type="application/json")


@router.get("/{referral_id}/patient-messages")
async def get_patient_messages(
    referral_id: UUID, conn: ConnectionDep, caller: EitherDep
) -> dict[str, Any]:
    """Her messages' delivery, for the referring site and the practice: `kind` (confirmation,
    panel, appointment, reminder, check), `channel` (`email`, `sms`), `status` (`pending`,
    `sent`, `failed`, `moot`: overtaken, not sent), `queued_at`, `due_at`, `sent_at`,
    `attempts`. Never where a message went or what it said."""
    return {"items": await message_deliveries(conn, caller, referral_id)}
