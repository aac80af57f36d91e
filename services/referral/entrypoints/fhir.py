"""FHIR R4 views of referrals, for EHRs: the CapabilityStatement (public, as FHIR servers publish
it), the Task with its BSeR business status, its search, and the ServiceRequest. Each referral
read, alone or in a search page, is audited with the caller (the EHR's client, or the person).
Refusals are OperationOutcomes (warmlink.fhir)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.referral.adapters import fhir_tasks
from services.referral.adapters import referral_repository as repo
from services.referral.adapters.fhir_bundle import searchset
from services.referral.adapters.fhir_capability import CAPABILITY_RESOURCES, capability_statement
from services.referral.adapters.fhir_task import (
    TaskContext,
    service_request_resource,
    task_resource,
)
from services.referral.domain.referral import Referral
from services.referral.entrypoints.fhir_search import CURSOR, task_query, write_cursor
from services.referral.service_layer.commands.access import REFERRAL_RECORD, visible_referral
from warmlink.audit import audit
from warmlink.auth import CallerDep
from warmlink.db import ConnectionDep
from warmlink.fhir import FHIR_JSON
from warmlink.openapi import problem_responses

router = APIRouter(prefix="/fhir", tags=["fhir"])
STARTED = datetime.now(UTC)  # the CapabilityStatement's date: what this process serves
# The search reads its parameters itself (strictly); documented from the CapabilityStatement's row.
_TASK_SEARCH = next(r.search for r in CAPABILITY_RESOURCES if r.type == "Task")
TASK_SEARCH_PARAMETERS = [
    {"name": p.name, "in": "query", "schema": {"type": "string"}, "description": p.documentation}
    for p in _TASK_SEARCH
] + [
    {
        "name": CURSOR,
        "in": "query",
        "schema": {"type": "string"},
        "description": "The position a `next` link carries",
    }
]


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/fhir"


def _fhir(body: dict[str, Any]) -> Response:
    return Response(orjson.dumps(body), media_type=FHIR_JSON)


@router.get("/metadata")
async def metadata(request: Request) -> Response:
    """The server's CapabilityStatement (FHIR R4): public, so a client can learn what it offers
    before it holds a token."""
    return _fhir(capability_statement(_base(request), STARTED))


async def _render(
    referral_id: UUID,
    request: Request,
    conn: ConnectionDep,
    caller: CallerDep,
    render: Callable[[Referral, str, TaskContext], dict[str, Any]],
) -> Response:
    async with conn.transaction():
        row = await visible_referral(conn, caller, referral_id)
        context = await fhir_tasks.task_context(conn, referral_id)
        await audit(conn, caller, "read", REFERRAL_RECORD, str(referral_id))
    return _fhir(render(repo.to_referral(row), _base(request), context))


@router.get(
    "/Task",
    responses=problem_responses(400),
    openapi_extra={"parameters": TASK_SEARCH_PARAMETERS},
)
async def search_tasks(request: Request, conn: ConnectionDep, caller: CallerDep) -> Response:
    """The Tasks of the caller's organization (as referring site or practice) that match the
    search, as a searchset Bundle, oldest change first; unsupported parameters are refused 400
    (docs/api.md "FHIR")."""
    params = request.query_params.multi_items()
    query = task_query(caller.organization_id, params)
    async with conn.transaction():
        total, rows = await fhir_tasks.search(conn, query)
        for row in rows:
            await audit(conn, caller, "read", REFERRAL_RECORD, str(row["id"]))
    base = _base(request)
    tasks = [task_resource(repo.to_referral(r), base, fhir_tasks.context_of(r)) for r in rows]
    next_url = None
    if rows and len(rows) == query.count:
        after = write_cursor(rows[-1]["updated_at"], rows[-1]["id"])
        kept = [(name, value) for name, value in params if name != CURSOR]
        next_url = f"{base}/Task?{urlencode([*kept, (CURSOR, after)])}"
    return _fhir(searchset(tasks, total, base, str(request.url), next_url))


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
