"""Screening routes: translate HTTP into commands and results into responses. No rules here."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse

from services.screening.adapters import repository
from services.screening.adapters.fhir import answers_from_questionnaire_response
from services.screening.domain import InvalidScreening
from services.screening.domain.screening import RecordScreening
from services.screening.entrypoints.schemas import (
    QuestionnaireResponseIn,
    ScreeningIn,
    ScreeningOut,
    TrailEntryOut,
    TrailOut,
)
from services.screening.service_layer.commands import read_screening_trail, record_screening
from services.screening.settings import ScreeningSettings
from warmlink.audit import audit
from warmlink.auth import Caller, CallerDep, Role, require_role
from warmlink.db import ConnectionDep
from warmlink.idempotency import request_hash, run_once
from warmlink.problems import InvalidInput, NotFound

router = APIRouter(prefix="/v1/screenings", tags=["screenings"])
ClinicDep = Annotated[Caller, require_role(Role.CLINIC)]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]


async def _record(
    request: Request,
    conn: ConnectionDep,
    caller: Caller,
    key: str | None,
    command: RecordScreening,
) -> JSONResponse:
    settings: ScreeningSettings = request.app.state.runtime.settings

    async def run() -> tuple[int, Any]:
        screening = await record_screening(
            conn, command, settings.thresholds(), request.app.state.keyring
        )
        await audit(conn, caller, "write", "screening", str(screening.id))
        return 201, ScreeningOut.of(screening).model_dump(mode="json")

    fingerprint = request_hash(request.method, request.url.path, await request.body())
    status, body, replayed = await run_once(
        conn, organization_id=caller.organization_id, key=key, fingerprint=fingerprint, run=run
    )
    headers = {"Location": f"/v1/screenings/{body['id']}"}
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    return JSONResponse(body, status_code=status, headers=headers)


@router.post("", status_code=201, response_model=ScreeningOut)
async def post_screening(
    body: ScreeningIn,
    request: Request,
    conn: ConnectionDep,
    caller: ClinicDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Score a screen on the server from the item answers; a positive screen is published."""
    command = RecordScreening(
        organization_id=caller.organization_id,
        recorded_by=caller.subject,
        patient_ref=body.patient_ref,
        instrument=body.instrument,
        answers=tuple(body.answers),
        setting=body.setting,
        screened_at=body.screened_at,
        period=body.period,
    )
    return await _record(request, conn, caller, idempotency_key, command)


@router.post("/questionnaire-response", status_code=201, response_model=ScreeningOut)
async def post_questionnaire_response(
    body: QuestionnaireResponseIn,
    request: Request,
    conn: ConnectionDep,
    caller: ClinicDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """The same, from a FHIR R4 QuestionnaireResponse (EPDS or PHQ-9, LOINC-coded)."""
    try:
        parsed = answers_from_questionnaire_response(body.resource)
    except InvalidScreening as exc:
        raise InvalidInput.at("/resource" + (exc.field or ""), exc.detail) from None
    screened_at = body.screened_at or parsed.authored
    if screened_at is None:
        raise InvalidInput.at("/screened_at", "screened_at or resource.authored is required")
    command = RecordScreening(
        organization_id=caller.organization_id,
        recorded_by=caller.subject,
        patient_ref=body.patient_ref,
        instrument=parsed.instrument,
        answers=parsed.answers,
        setting=body.setting,
        screened_at=screened_at,
        period=body.period,
    )
    return await _record(request, conn, caller, idempotency_key, command)


@router.get("/{screening_id}", response_model=ScreeningOut)
async def get_screening(
    screening_id: UUID, request: Request, conn: ConnectionDep, caller: ClinicDep
) -> ScreeningOut:
    """One screening, only for the organization that recorded it."""
    keyring = request.app.state.keyring
    async with conn.transaction():
        screening = await repository.get(conn, screening_id, caller.organization_id, keyring)
        if screening is None:
            raise NotFound(f"No screening {screening_id} for this organization.")
        await audit(conn, caller, "read", "screening", str(screening.id))
    return ScreeningOut.of(screening)


@router.get("/{screening_id}/access", response_model=TrailOut)
async def get_screening_access(
    screening_id: UUID,
    conn: ConnectionDep,
    caller: CallerDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> TrailOut:
    """Who read or wrote the screening, newest first (its site's coordinator and the network)."""
    rows = await read_screening_trail(conn, caller, screening_id, limit)
    return TrailOut(screening_id=screening_id, items=[TrailEntryOut(**dict(r)) for r in rows])
