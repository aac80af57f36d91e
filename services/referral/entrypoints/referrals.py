"""The referring site's side: submit a warm handoff, follow it, cancel or redirect it."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

import orjson
from fastapi import APIRouter, Header, Request
from fastapi.responses import Response

from services.referral.adapters import referral_repository as repo
from services.referral.adapters import worklist_repository as worklist
from services.referral.adapters.directory_client import DirectoryUnavailable, PracticeInfo
from services.referral.domain.errors import PracticeSuspended
from services.referral.domain.handoff import (
    appointment_needed_by,
    barrier_codes,
    missing_for_setting,
)
from services.referral.domain.lifecycle import Action
from services.referral.domain.messages import CRISIS_RESOURCES, patient_message
from services.referral.domain.referral import AppointmentLogistics, PatientDetails, Referral
from services.referral.entrypoints.deps import ReferralContext, bearer, context
from services.referral.entrypoints.schemas import (
    CancelIn,
    RedirectIn,
    ReferralIn,
    TimelineOut,
)
from services.referral.service_layer.commands import auto_redirect, redirect
from services.referral.service_layer.commands.access import REFERRAL_RECORD, visible_referral
from services.referral.service_layer.commands.handoff import (
    SubmitReferral,
    submit_referral,
    urgency_for,
)
from services.referral.service_layer.commands.lifecycle import transition_referral
from services.referral.service_layer.commands.redirect import RedirectReferral
from warmlink.audit import audit
from warmlink.auth import Caller, CallerDep, Role, require_role
from warmlink.db import ConnectionDep, PoolDep
from warmlink.idempotency import request_hash, run_once_in_one_statement
from warmlink.problems import InvalidInput, Problem
from warmlink.write_batch import WriteBatch

router = APIRouter(prefix="/v1/referrals", tags=["referrals"])
ClinicDep = Annotated[Caller, require_role(Role.CLINIC)]
# Required: a handoff is made once, however often a flaky network makes the client send it.
IdempotencyKey = Annotated[
    str, Header(alias="Idempotency-Key", description="One key per handoff; a retry reuses it.")
]
Ctx = Annotated[ReferralContext, context]


class DirectoryDown(Problem):
    status, title, slug = 503, "Service Unavailable", "directory-unavailable"


def _missing(body: ReferralIn) -> list[tuple[str, str]]:
    return missing_for_setting(
        body.setting,
        consent_given=body.consent.given,
        part2=body.consent.part2,
        part2_redisclosure=body.consent.part2_redisclosure,
        infant_visit_ref=body.infant_visit_ref,
        planned_discharge_at=body.planned_discharge_at,
        last_iop_session_on=body.last_iop_session_on,
        discharge_summary_ref=body.discharge_summary_ref,
    )


async def practice_or_422(
    ctx: ReferralContext, request: Request, practice_id: str, service_id: str
) -> PracticeInfo:
    try:
        practice = await ctx.directory.practice(bearer(request), practice_id, service_id)
    except DirectoryUnavailable as exc:
        raise DirectoryDown(f"The directory cannot be reached ({exc}); try again.") from None
    if practice is None:
        raise InvalidInput.at("/service_id", f"no service {service_id} at practice {practice_id}")
    if practice.suspended:
        raise PracticeSuspended(practice_id)
    return practice


def referral_view(r: Referral) -> dict[str, Any]:
    phone, url = r.practice_phone, r.practice_url
    contact = phone or url
    return {
        "id": str(r.id),
        "status": str(r.status),
        "practice": {
            "id": r.practice_id,
            "name": r.practice_name,
            "service_id": r.service_id,
            "intake_phone": phone,
            "intake_url": url,
        },
        "site_id": r.site_id,
        "patient_ref": r.patient_ref,
        "screening_id": str(r.screening_id) if r.screening_id else None,
        "setting": r.setting,
        "method": r.method,
        "urgency": r.urgency,
        # Why it is urgent: the screen's positive safety item (the server's rule, whatever the
        # site sent) or the site's own request; None when routine.
        "urgency_reason": r.urgency_reason,
        "level_of_care": r.level_of_care,
        "language": r.language,
        "referrer_id": r.referrer_id,
        "acting_for": r.acting_for,
        # What the receiving practice needs from the setting: the infant's visit (the dyad) of
        # a pediatric referral, the discharge summary of an IOP/PHP one.
        "infant_visit_ref": r.infant_visit_ref,
        "discharge_summary_ref": r.discharge_summary_ref,
        # What she said may keep her from the first appointment, so the practice can plan for it.
        "barriers": list(r.barriers),
        "submitted_at": r.submitted_at.isoformat(),
        "acknowledge_by": r.acknowledge_by.isoformat(),
        "appointment_needed_by": r.appointment_needed_by.isoformat()
        if r.appointment_needed_by
        else None,
        "tell_the_patient": patient_message(r.practice_name, contact, r.urgency == "urgent"),
        "crisis_resources": list(CRISIS_RESOURCES),
        "links": {
            "self": f"/v1/referrals/{r.id}",
            "timeline": f"/v1/referrals/{r.id}/timeline",
            "fhir_task": f"/fhir/Task/{r.id}",
        },
    }


@router.post("", status_code=201)
async def post_referral(
    body: ReferralIn,
    request: Request,
    pool: PoolDep,
    caller: ClinicDep,
    ctx: Ctx,
    idempotency_key: IdempotencyKey,
) -> Response:
    """A warm handoff, submitted while the patient is present."""
    problems = _missing(body)
    if problems:
        raise InvalidInput(
            "; ".join(d for _, d in problems),
            errors=[{"pointer": "#" + p, "detail": d} for p, d in problems],
        )
    practice = await practice_or_422(ctx, request, body.practice_id, body.service_id)
    command = SubmitReferral(
        screening_id=body.screening_id,
        practice_id=body.practice_id,
        service_id=body.service_id,
        patient_ref=body.patient_ref,
        setting=body.setting,
        method=body.method,
        urgency=body.urgency,
        referrer_id=body.referrer_id,
        acting_for=body.acting_for,
        consent_given=body.consent.given,
        part2=body.consent.part2,
        patient=PatientDetails(**body.patient.model_dump(mode="python")),
        appointment_needed_by=appointment_needed_by(
            body.planned_discharge_at, body.last_iop_session_on, practice.time_zone
        ),
        infant_visit_ref=body.infant_visit_ref,
        discharge_summary_ref=body.discharge_summary_ref,
        match_criteria=body.match_criteria.model_dump(exclude_none=True)
        if body.match_criteria
        else None,
        barriers=barrier_codes(body.barriers),
        language=body.language,
    )

    now = datetime.now(UTC)

    fingerprint = request_hash(request.method, request.url.path, await request.body())
    async with pool.acquire() as conn:  # for these round trips only, not the whole request
        urgency = await urgency_for(conn, caller, command)

        async def build(batch: WriteBatch) -> tuple[int, Any]:
            referral = await submit_referral(
                batch, ctx.keyring, caller, command, urgency, practice, now, ctx.listeners
            )
            await ctx.queue_confirmation(batch, referral, practice, body)
            return 201, referral_view(referral)

        status, view, replayed = await run_once_in_one_statement(
            conn,
            organization_id=caller.organization_id,
            key=idempotency_key,
            fingerprint=fingerprint,
            build=build,
        )
    headers = {"Location": view["links"]["self"]}
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    return Response(orjson.dumps(view), status, headers, media_type="application/json")


@router.get("/{referral_id}")
async def get_referral(
    referral_id: UUID,
    conn: ConnectionDep,
    caller: CallerDep,
    ctx: Ctx,
    with_patient: bool = True,
) -> dict[str, Any]:
    """The referral with the patient's details and the appointment's, for its referring site
    and its practice only. Every read of either is audited. `with_patient=false` leaves her
    details closed (a page that does not show them should not read them): `patient` is null."""
    async with conn.transaction():
        row = await visible_referral(conn, caller, referral_id)
        details: dict[str, Any] | None = None
        screen: dict[str, Any] | None = None
        if with_patient:
            patient = await repo.patient(conn, referral_id, ctx.keyring)
            await audit(conn, caller, "read", "referral_patient", str(referral_id))
            details = asdict(patient)
            details["birth_date"] = patient.birth_date.isoformat() if patient.birth_date else None
            if row["screening_id"] is not None:
                screen = await worklist.screen_summary(conn, row["screening_id"])
                await audit(conn, caller, "read", "referral_screen", str(referral_id))
        logistics = repo.logistics(row, ctx.keyring)
        if logistics is not None:
            await audit(conn, caller, "read", "referral_appointment", str(referral_id))
    view = referral_view(repo.to_referral(row))
    return view | {
        "patient": details,
        # With her details only: her screen's result and her coverage are health information.
        "screen": screen,
        "coverage": _coverage(row) if with_patient else None,
        "part2": row["part2"],
        "appointment": _appointment(row, logistics),
    }


def _coverage(row: Any) -> dict[str, Any] | None:
    """How she pays, from the criteria the site matched with; where she lives is left out."""
    criteria = orjson.loads(row["match_criteria"] or "null") or {}
    if "coverage" not in criteria:
        return None
    return {"coverage": criteria["coverage"], "plan": criteria.get("plan")}


def _appointment(row: Any, logistics: AppointmentLogistics | None) -> dict[str, Any] | None:
    if row["appointment_at"] is None:
        return None
    return {
        "id": str(row["appointment_id"]),
        "at": row["appointment_at"].isoformat(),
        "modality": row["appointment_modality"],
        "clinician": row["appointment_clinician"],
    } | asdict(logistics or AppointmentLogistics())


@router.get("/{referral_id}/timeline", response_model=list[TimelineOut])
async def get_timeline(referral_id: UUID, conn: ConnectionDep, caller: CallerDep) -> list[Any]:
    """Every change with who, when and why; the read audited."""
    async with conn.transaction():
        await visible_referral(conn, caller, referral_id)
        entries = await repo.timeline(conn, referral_id)
        await audit(conn, caller, "read", REFERRAL_RECORD, str(referral_id))
    return [asdict(e) for e in entries]


@router.post("/{referral_id}/cancel")
async def cancel(
    referral_id: UUID, body: CancelIn, conn: ConnectionDep, caller: ClinicDep, ctx: Ctx
) -> dict[str, Any]:
    async with conn.transaction():
        r = await transition_referral(
            conn,
            caller,
            referral_id,
            Action.CANCEL,
            body.model_dump(),
            datetime.now(UTC),
            ctx.listeners,
        )
    return referral_view(r)


@router.post("/{referral_id}/redirect")
async def redirect_referral(
    referral_id: UUID,
    body: RedirectIn,
    request: Request,
    conn: ConnectionDep,
    caller: ClinicDep,
    ctx: Ctx,
) -> dict[str, Any]:
    """Send a declined, unacknowledged or too-late referral to the next practice in one call;
    its history is kept. A practice that declined or missed it is a 409 naming `practice_id`."""
    practice = await practice_or_422(ctx, request, body.practice_id, body.service_id)
    command = RedirectReferral(
        referral_id=referral_id,
        practice=practice,
        part2_redisclosure=body.consent.part2_redisclosure,
        appointment_within_days=ctx.appointment_within_days,
    )
    async with conn.transaction():
        r = await redirect.redirect_referral(
            conn, caller, command, datetime.now(UTC), ctx.listeners
        )
    return referral_view(r)


@router.post("/{referral_id}/redirect-proposal/decline", status_code=204)
async def decline_redirect_proposal(
    referral_id: UUID, conn: ConnectionDep, caller: ClinicDep
) -> Response:
    """Keep the referral where it is: the redirect the network proposed (policy `propose`) is
    not made. No open proposal is a 409. The site may still redirect it itself."""
    async with conn.transaction():
        await auto_redirect.decline_proposal(conn, caller, referral_id, datetime.now(UTC))
    return Response(status_code=204)


@router.get("/{referral_id}/next-matches")
async def next_matches(
    referral_id: UUID, request: Request, conn: ConnectionDep, caller: ClinicDep, ctx: Ctx
) -> dict[str, Any]:
    """The directory's matches for the same criteria, without the practice that holds it now
    and every practice that declined or missed it. Her criteria (where she lives, her plan) are
    read: audited."""
    async with conn.transaction():
        row, gone = await redirect.practices_passed_over(conn, caller, referral_id)
        await audit(conn, caller, "read", REFERRAL_RECORD, str(referral_id))
    params = auto_redirect.match_query(row)
    if params is None:
        raise InvalidInput.at("/match_criteria", "this referral was submitted without criteria")
    try:
        found = await ctx.directory.matches(bearer(request), params)
    except DirectoryUnavailable as exc:
        raise DirectoryDown(f"The directory cannot be reached ({exc}); try again.") from None
    skip = gone | {row["practice_id"]}
    found["matches"] = [m for m in found["matches"] if m["organization_id"] not in skip]
    return found
