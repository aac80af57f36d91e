"""FHIR R4 views of a referral (Task with BSeR business status, ServiceRequest), for EHRs; each
read audited with the caller (the EHR's client, or the person)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.referral.adapters import referral_repository as repo
from services.referral.adapters.fhir_task import service_request_resource, task_resource
from services.referral.domain.referral import Referral
from services.referral.service_layer.commands.access import REFERRAL_RECORD, visible_referral
from warmlink.audit import audit
from warmlink.auth import CallerDep
from warmlink.db import ConnectionDep
from warmlink.fhir import FHIR_JSON

router = APIRouter(prefix="/fhir", tags=["fhir"])


async def _render(
    referral_id: UUID,
    request: Request,
    conn: ConnectionDep,
    caller: CallerDep,
    render: Callable[[Referral, str], dict[str, Any]],
) -> Response:
    async with conn.transaction():
        row = await visible_referral(conn, caller, referral_id)
        await audit(conn, caller, "read", REFERRAL_RECORD, str(referral_id))
    base = str(request.base_url).rstrip("/") + "/fhir"
    body = render(repo.to_referral(row), base)
    return Response(orjson.dumps(body), media_type=FHIR_JSON)


@router.get("/Task/{referral_id}")
async def task(
    referral_id: UUID, request: Request, conn: ConnectionDep, caller: CallerDep
) -> Response:
    """The referral as a FHIR R4 Task: status and BSeR businessStatus per docs/domain.md."""
    return await _render(referral_id, request, conn, caller, task_resource)


@router.get("/ServiceRequest/{referral_id}")
async def service_request(
    referral_id: UUID, request: Request, conn: ConnectionDep, caller: CallerDep
) -> Response:
    """The referral as a FHIR R4 ServiceRequest (the order the Task fulfils)."""
    return await _render(referral_id, request, conn, caller, service_request_resource)
