"""Routes that manage subscriptions: create (with the handshake), list, read, deactivate, rotate.
The rules are in service_layer/commands.py; these translate HTTP to commands and back."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Request, Response

from services.referral.subscriptions.adapters import store
from services.referral.subscriptions.domain.config import WebhookConfig
from services.referral.subscriptions.domain.signing import public_key_of, shared_secret
from services.referral.subscriptions.domain.subscription import CreateSubscription
from services.referral.subscriptions.entrypoints.schemas import (
    SecretRotated,
    SubscriptionCreated,
    SubscriptionIn,
    SubscriptionList,
    SubscriptionOut,
)
from services.referral.subscriptions.service_layer import commands
from warmlink.audit import audit_admin
from warmlink.auth import CallerDep
from warmlink.db import ConnectionDep

router = APIRouter(prefix="/v1/subscriptions", tags=["subscriptions"])


async def _config(request: Request) -> WebhookConfig:  # async: no worker-thread hop
    return WebhookConfig.of(request.app.state.runtime.settings)


ConfigDep = Annotated[WebhookConfig, Depends(_config)]


@router.post("", status_code=201, response_model=SubscriptionCreated)
async def create_subscription(
    body: SubscriptionIn,
    request: Request,
    response: Response,
    caller: CallerDep,
    config: ConfigDep,
) -> SubscriptionCreated:
    """Subscribe an endpoint. A v1 secret is in this response and never again; a v1a
    subscription shows its public key here and on every read."""
    command = CreateSubscription(
        organization_id=caller.organization_id,
        url=body.url,
        types=body.types,
        statuses=None if body.filters.statuses is None else list(body.filters.statuses),
        event_types=body.filters.event_types,
        heartbeat_s=body.heartbeat_s,
        signature=body.signature,
    )
    await commands.refuse_unacceptable(command, config)
    # The connection is taken only now: resolving the host may take seconds.
    async with request.app.state.runtime.pool.acquire() as conn, conn.transaction():
        row, secret = await commands.create_subscription(conn, command, config)
        await audit_admin(conn, caller, "subscribe", "subscription", str(row["id"]))
    response.headers["Location"] = f"/v1/subscriptions/{row['id']}"
    return SubscriptionCreated(**SubscriptionOut.of(row).model_dump(), secret=shared_secret(secret))


@router.get("", response_model=SubscriptionList)
async def list_subscriptions(conn: ConnectionDep, caller: CallerDep) -> SubscriptionList:
    """The caller's organization's subscriptions, active or not."""
    rows = await store.own(conn, caller.organization_id)
    return SubscriptionList(items=[SubscriptionOut.of(r) for r in rows])


@router.get("/{subscription_id}", response_model=SubscriptionOut)
async def get_subscription(
    subscription_id: UUID, conn: ConnectionDep, caller: CallerDep
) -> SubscriptionOut:
    row = await commands.owned_subscription(conn, subscription_id, caller.organization_id)
    return SubscriptionOut.of(row)


@router.delete("/{subscription_id}", status_code=204, response_class=Response)
async def delete_subscription(
    subscription_id: UUID, conn: ConnectionDep, caller: CallerDep
) -> Response:
    """Deactivate (status `off`): nothing more is recorded or sent; its history stays readable."""
    async with conn.transaction():
        await commands.deactivate_subscription(conn, subscription_id, caller.organization_id)
        await audit_admin(conn, caller, "unsubscribe", "subscription", str(subscription_id))
    return Response(status_code=204)


@router.post("/{subscription_id}/rotate-secret", response_model=SecretRotated)
async def rotate_secret(
    subscription_id: UUID, conn: ConnectionDep, caller: CallerDep, config: ConfigDep
) -> SecretRotated:
    """A new signing key: a v1 secret shown once, or a v1a key pair whose public key is shown.
    For 24 hours deliveries are signed with the new and the old key (two signatures), then with
    the new one only."""
    async with conn.transaction():
        row, secret = await commands.rotate_secret(
            conn, subscription_id, caller.organization_id, config
        )
        await audit_admin(conn, caller, "rotate_secret", "subscription", str(subscription_id))
    return SecretRotated(
        id=row["id"],
        secret=shared_secret(secret),
        public_key=public_key_of(secret),
        previous_secret_expires_at=row["previous_secret_expires_at"],
    )
