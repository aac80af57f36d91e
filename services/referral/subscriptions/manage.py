"""Routes that manage subscriptions: create (with the handshake), list, read, deactivate, rotate.

A subscription belongs to the caller's organization; any role may hold one. The handshake is
event number 0, queued in the creating transaction and delivered through the normal path: the
subscription is `active` at once, and because delivery is in order the subscriber always sees
the handshake before event 1. A subscriber that does not answer it gets it retried like any
other notification, and nothing newer overtakes it.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID, uuid4

from fastapi import APIRouter, Depends, Request, Response

from services.referral.subscriptions import store
from services.referral.subscriptions.notifications import record_handshake
from services.referral.subscriptions.schemas import (
    SecretRotated,
    SubscriptionCreated,
    SubscriptionIn,
    SubscriptionList,
    SubscriptionOut,
)
from services.referral.subscriptions.sealing import seal
from services.referral.subscriptions.settings import WebhookConfig
from services.referral.subscriptions.signing import new_secret
from services.referral.subscriptions.ssrf import Refused, check_destination
from warmlink.auth import CallerDep
from warmlink.db import ConnectionDep
from warmlink.problems import InvalidInput, NotFound

router = APIRouter(prefix="/v1/subscriptions", tags=["subscriptions"])
NOT_FOUND = "No such subscription."


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
    """Subscribe an endpoint. The secret is in this response and never again."""
    try:
        await check_destination(body.url, allow_private=config.allow_private)
    except Refused as exc:
        raise InvalidInput.at("/url", str(exc)) from None
    secret, subscription_id = new_secret(), uuid4()
    sealed = seal(config.secrets_keyring(), subscription_id, secret)
    # The connection is taken only now: resolving the host may take seconds.
    async with request.app.state.runtime.pool.acquire() as conn, conn.transaction():
        row = await store.create(
            conn,
            subscription_id=subscription_id,
            organization_id=caller.organization_id,
            url=body.url,
            statuses=None if body.filters.statuses is None else list(body.filters.statuses),
            event_types=body.filters.event_types,
            heartbeat_s=body.heartbeat_s or config.heartbeat_s,
            sealed_secret=sealed,
        )
        await record_handshake(conn, row["id"])
    response.headers["Location"] = f"/v1/subscriptions/{row['id']}"
    return SubscriptionCreated(**SubscriptionOut.of(row).model_dump(), secret=secret)


@router.get("", response_model=SubscriptionList)
async def list_subscriptions(conn: ConnectionDep, caller: CallerDep) -> SubscriptionList:
    """The caller's organization's subscriptions, active or not."""
    rows = await store.own(conn, caller.organization_id)
    return SubscriptionList(items=[SubscriptionOut.of(r) for r in rows])


@router.get("/{subscription_id}", response_model=SubscriptionOut)
async def get_subscription(
    subscription_id: UUID, conn: ConnectionDep, caller: CallerDep
) -> SubscriptionOut:
    row = await store.get(conn, subscription_id, caller.organization_id)
    if row is None:
        raise NotFound(NOT_FOUND)
    return SubscriptionOut.of(row)


@router.delete("/{subscription_id}", status_code=204, response_class=Response)
async def delete_subscription(
    subscription_id: UUID, conn: ConnectionDep, caller: CallerDep
) -> Response:
    """Deactivate (status `off`): nothing more is recorded or sent; its history stays readable."""
    if await store.deactivate(conn, subscription_id, caller.organization_id) is None:
        raise NotFound(NOT_FOUND)
    return Response(status_code=204)


@router.post("/{subscription_id}/rotate-secret", response_model=SecretRotated)
async def rotate_secret(
    subscription_id: UUID, conn: ConnectionDep, caller: CallerDep, config: ConfigDep
) -> SecretRotated:
    """A new secret, shown once. For 24 hours deliveries are signed with the new and the old
    secret (two `v1,` signatures), then with the new one only."""
    secret = new_secret()
    sealed = seal(config.secrets_keyring(), subscription_id, secret)
    row = await store.rotate_secret(conn, subscription_id, caller.organization_id, sealed)
    if row is None:
        raise NotFound(NOT_FOUND)
    return SecretRotated(
        id=row["id"], secret=secret, previous_secret_expires_at=row["previous_secret_expires_at"]
    )
