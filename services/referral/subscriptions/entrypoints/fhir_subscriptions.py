"""FHIR R4 Backport Subscriptions (domain/backport.py): create, read, delete and `$status`.

They are the subscriptions of /v1/subscriptions in another shape: the same commands, table,
caps, SSRF checks and delivery worker; what differs is read and rendered in domain/backport*.py.
A FHIR client reads errors as an OperationOutcome: the runtime answers every refusal under /fhir
as one (warmlink.fhir), `BackportRefused` with the issue type `not-supported`.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

import asyncpg
import orjson
from fastapi import APIRouter, Request, Response

from services.referral.subscriptions.adapters import store
from services.referral.subscriptions.domain.backport import (
    FHIR_JSON,
    read_subscription,
    subscription_resource,
)
from services.referral.subscriptions.domain.backport_bundles import status_bundle
from services.referral.subscriptions.domain.config import WebhookConfig
from services.referral.subscriptions.domain.errors import (
    BackportRefused,
    SubscriptionNotFound,
)
from services.referral.subscriptions.domain.payloads import STATUS_CHANGED
from services.referral.subscriptions.domain.subscription import CreateSubscription
from services.referral.subscriptions.service_layer import commands
from warmlink.audit import audit_admin
from warmlink.auth import Caller, CallerDep
from warmlink.db import Connection, ConnectionDep

router = APIRouter(prefix="/fhir", tags=["fhir"])


class FhirJSON(Response):
    """A FHIR resource's media type, so the OpenAPI document says what is sent."""

    media_type = FHIR_JSON


RESOURCE = {"schema": {"type": "object", "required": ["resourceType"]}}
OUTCOME = {
    "description": "Refused, as an OperationOutcome (one error issue saying why, and where).",
    "content": {FHIR_JSON: RESOURCE},
}
# The client's Subscription, read by the route itself (domain/backport.py says what is accepted).
SUBSCRIPTION_BODY = {
    "requestBody": {
        "required": True,
        "content": {FHIR_JSON: RESOURCE, "application/json": RESOURCE},
    }
}


def _fhir(body: dict[str, Any], status_code: int = 200, **headers: str) -> Response:
    return FhirJSON(orjson.dumps(body), status_code, headers or None)


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/fhir"


async def _backport(conn: Connection, subscription_id: str, caller: Caller) -> asyncpg.Record:
    """The caller's Backport subscription; a Warmlink-shaped one is no FHIR Subscription."""
    try:
        parsed = UUID(subscription_id)
    except ValueError:
        raise SubscriptionNotFound() from None
    row = await commands.owned_subscription(conn, parsed, caller.organization_id)
    if row["fhir_base"] is None:
        raise SubscriptionNotFound()
    return row


@router.post(
    "/Subscription",
    status_code=201,
    response_class=FhirJSON,
    responses={409: OUTCOME, 422: OUTCOME},
    openapi_extra=SUBSCRIPTION_BODY,
)
async def create(request: Request, caller: CallerDep) -> Response:
    """A Backport Subscription to referral status changes; its handshake follows at once."""

    try:
        resource = orjson.loads(await request.body())
    except orjson.JSONDecodeError:
        raise BackportRefused("The body is not JSON.", "Subscription") from None
    wanted = read_subscription(resource, caller.organization_id)
    command = CreateSubscription(
        organization_id=caller.organization_id,
        url=wanted.url,
        types=[STATUS_CHANGED],
        statuses=None,
        event_types=None,
        heartbeat_s=wanted.heartbeat_s,
        signature="v1a",
        fhir_base=_base(request),
        organization_role=wanted.organization_role,
    )
    config = WebhookConfig.of(request.app.state.runtime.settings)
    await commands.refuse_unacceptable(command, config)
    async with request.app.state.runtime.pool.acquire() as conn, conn.transaction():
        row, _ = await commands.create_subscription(conn, command, config)
        await audit_admin(conn, caller, "subscribe", "subscription", str(row["id"]))
    location = f"{_base(request)}/Subscription/{row['id']}"
    return _fhir(subscription_resource(row), 201, location=location)


@router.get("/Subscription/{subscription_id}", response_class=FhirJSON, responses={404: OUTCOME})
async def read(subscription_id: str, conn: ConnectionDep, caller: CallerDep) -> Response:
    return _fhir(subscription_resource(await _backport(conn, subscription_id, caller)))


@router.delete("/Subscription/{subscription_id}", status_code=204, responses={404: OUTCOME})
async def delete(subscription_id: str, conn: ConnectionDep, caller: CallerDep) -> Response:
    """Status `off`: nothing more is sent; the subscription stays readable."""
    async with conn.transaction():
        row = await _backport(conn, subscription_id, caller)
        await commands.deactivate_subscription(conn, row["id"], caller.organization_id)
        await audit_admin(conn, caller, "unsubscribe", "subscription", str(row["id"]))
    return Response(status_code=204)


@router.get(
    "/Subscription/{subscription_id}/$status", response_class=FhirJSON, responses={404: OUTCOME}
)
async def status(subscription_id: str, conn: ConnectionDep, caller: CallerDep) -> Response:
    """The subscription's status and its events so far (a searchset of one SubscriptionStatus)."""
    row = await _backport(conn, subscription_id, caller)
    count = await store.events_since_start(conn, row["id"])
    return _fhir(status_bundle(uuid4(), row["id"], row["status"], count, row["fhir_base"]))
