"""Managing subscriptions: create (with the handshake), deactivate, rotate the secret, redeliver.

A subscription belongs to the caller's organization; any role may hold one. The handshake is
event number 0, queued in the creating transaction and delivered through the normal path: the
subscription is `active` at once, and because delivery is in order the subscriber always sees
the handshake before event 1. A subscriber that does not answer it gets it retried like any
other notification, and nothing newer overtakes it.

Each command runs in the caller's transaction (or on its connection) and never commits, except
`refuse_unacceptable`, which takes no connection: resolving a host may take seconds.
"""

from __future__ import annotations

from uuid import UUID, uuid4

import asyncpg

from services.referral.subscriptions.adapters import store
from services.referral.subscriptions.adapters.destinations import check_destination
from services.referral.subscriptions.adapters.notifications import record_handshake
from services.referral.subscriptions.adapters.sealing import seal
from services.referral.subscriptions.domain.config import WebhookConfig
from services.referral.subscriptions.domain.errors import (
    EventNotFound,
    SubscriptionNotActive,
    SubscriptionNotFound,
    TooManySubscriptions,
)
from services.referral.subscriptions.domain.signing import new_signing_key, public_key_of
from services.referral.subscriptions.domain.subscription import CreateSubscription
from warmlink.db import Connection


async def refuse_unacceptable(command: CreateSubscription, config: WebhookConfig) -> None:
    """HeartbeatTooFrequent for a heartbeat more often than the network allows, then
    DestinationRefused unless the URL may receive webhooks (SSRF). Outside production the
    refusals that `webhook_allow_private` would lift say so. Takes no connection."""
    command.heartbeat_under(config)
    await check_destination(
        command.url, allow_private=config.allow_private, name_setting=config.private_allowable
    )


async def create_subscription(
    conn: Connection, command: CreateSubscription, config: WebhookConfig
) -> tuple[asyncpg.Record, str]:
    """The new subscription's row and its signing key, its handshake queued. The key is a v1
    secret to show once, or a v1a secret key that never leaves (the row has its public key).
    The destination was checked first (`refuse_unacceptable`). Refused: a heartbeat more
    often than the network allows (422), or past its subscriptions per organization (409)."""
    heartbeat_s = command.heartbeat_under(config)
    limit = config.subscriptions_per_organization
    if await store.count_active_locked(conn, command.organization_id) >= limit:
        raise TooManySubscriptions(limit)
    secret, subscription_id = new_signing_key(command.signature), uuid4()
    sealed = seal(config.secrets_keyring(), subscription_id, secret)
    row = await store.create(
        conn,
        subscription_id=subscription_id,
        organization_id=command.organization_id,
        url=command.url,
        types=command.types or None,  # no choice, or an empty one, takes every type
        statuses=command.statuses or None,  # an empty filter filters nothing
        event_types=command.event_types or None,
        heartbeat_s=heartbeat_s,
        sealed_secret=sealed,
        signature=command.signature,
        public_key=public_key_of(secret),
        fhir_base=command.fhir_base,
        organization_role=command.organization_role,
    )
    await record_handshake(conn, row["id"])
    return row, secret


async def deactivate_subscription(
    conn: Connection, subscription_id: UUID, organization_id: str
) -> None:
    """Status `off`: nothing more is recorded or sent; its history stays readable."""
    if await store.deactivate(conn, subscription_id, organization_id) is None:
        raise SubscriptionNotFound()


async def rotate_secret(
    conn: Connection, subscription_id: UUID, organization_id: str, config: WebhookConfig
) -> tuple[asyncpg.Record, str]:
    """A new signing key of the subscription's scheme (a v1 secret to show once, or a v1a key
    pair whose public key is shown); for 24 hours deliveries are signed with the new and the old
    key (two signatures), then with the new one only."""
    subscription = await owned_subscription(conn, subscription_id, organization_id)
    secret = new_signing_key(subscription["signature"])
    sealed = seal(config.secrets_keyring(), subscription_id, secret)
    public_key = public_key_of(secret)
    row = await store.rotate_secret(conn, subscription_id, organization_id, sealed, public_key)
    if row is None:
        raise SubscriptionNotFound()
    return row, secret


async def owned_subscription(
    conn: Connection, subscription_id: UUID, organization_id: str
) -> asyncpg.Record:
    """The organization's subscription; another's is simply not found."""
    row = await store.get(conn, subscription_id, organization_id)
    if row is None:
        raise SubscriptionNotFound()
    return row


async def redeliver_event(
    conn: Connection, subscription_id: UUID, event_number: int, organization_id: str
) -> asyncpg.Record:
    """Send this notification again now, before anything newer, with a fresh retry window."""
    subscription = await owned_subscription(conn, subscription_id, organization_id)
    if subscription["status"] != "active":
        raise SubscriptionNotActive(subscription["status"])
    row = await store.redeliver(conn, subscription_id, event_number)
    if row is None:
        raise EventNotFound()
    return row
