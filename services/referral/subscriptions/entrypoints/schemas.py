"""Request and response bodies of the subscription routes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import asyncpg
import orjson
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from contracts.events import ALL_EVENTS
from contracts.events.referral import ReferralEvent
from contracts.lifecycle import ReferralStatus
from services.referral.subscriptions.domain.alerts import ALERT_TYPES
from services.referral.subscriptions.domain.payloads import STATUS_CHANGED
from services.referral.subscriptions.domain.signing import Scheme
from services.referral.subscriptions.domain.ssrf import MAX_URL_LENGTH

REFERRAL_EVENT_TYPES = frozenset(c.TYPE for c in ALL_EVENTS if issubclass(c, ReferralEvent))
# What a subscription may choose to be sent (handshakes and heartbeats always are).
NOTIFICATION_TYPES = frozenset({STATUS_CHANGED} | ALERT_TYPES)


def _known_event_type(value: str) -> str:
    if value not in REFERRAL_EVENT_TYPES:
        raise ValueError("not a referral event type: " + ", ".join(sorted(REFERRAL_EVENT_TYPES)))
    return value


EventType = Annotated[str, AfterValidator(_known_event_type)]


def _known_notification_type(value: str) -> str:
    if value not in NOTIFICATION_TYPES:
        raise ValueError("not a notification type: " + ", ".join(sorted(NOTIFICATION_TYPES)))
    return value


NotificationType = Annotated[str, AfterValidator(_known_notification_type)]


class Filters(BaseModel):
    """Both optional; they narrow status changes (alerts are chosen by `types` alone), and a
    status change is sent when every given filter matches. An empty list filters nothing, like
    an omitted one (the README's template sends `[]`)."""

    model_config = ConfigDict(extra="forbid")
    statuses: list[ReferralStatus] | None = Field(None, max_length=20)
    event_types: list[EventType] | None = Field(None, max_length=20)


class FiltersOut(BaseModel):
    # Plain strings: a stored filter stays readable even if the contracts later drop a name.
    statuses: list[str] | None
    event_types: list[str] | None


class SubscriptionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = Field(max_length=MAX_URL_LENGTH, description="https endpoint that receives POSTs")
    types: list[NotificationType] | None = Field(
        None,
        max_length=20,
        description="Notification types to send; omitted or empty: every type, alerts included",
    )
    filters: Filters = Field(default_factory=Filters)
    heartbeat_s: float | None = Field(
        None, ge=1, le=86_400, description="Idle time before a heartbeat; default from settings"
    )
    signature: Scheme = Field(
        "v1",
        description="Standard Webhooks scheme: v1 (HMAC, a shared secret) or v1a (ed25519: "
        "the service keeps the secret key and shows the public key)",
    )


class SubscriptionOut(BaseModel):
    id: UUID
    url: str
    types: list[str] | None  # None: every type
    filters: FiltersOut
    heartbeat_s: float
    status: str  # active, off (deactivated), error (disabled by 410 Gone)
    status_reason: str | None
    last_event_number: int
    created_at: datetime
    updated_at: datetime
    signature: str  # v1 or v1a
    shape: str = Field(description="warmlink (these JSON notifications) or fhir-backport")
    public_key: str | None = Field(description="v1a: the whpk_ key deliveries verify with")

    @classmethod
    def of(cls, row: asyncpg.Record) -> SubscriptionOut:
        filters = FiltersOut(statuses=row["statuses"], event_types=row["event_types"])
        fields = {k: row[k] for k in cls.model_fields if k != "filters"}
        return cls(filters=filters, **fields)


class SubscriptionCreated(SubscriptionOut):
    secret: str | None = Field(
        description="v1: the Standard Webhooks secret (whsec_...), shown only now; v1a: null"
    )


class SubscriptionList(BaseModel):
    items: list[SubscriptionOut]


class SecretRotated(BaseModel):
    id: UUID
    secret: str | None = Field(description="v1: the new secret, shown only now; v1a: null")
    public_key: str | None = Field(description="v1a: the new public key (whpk_...)")
    previous_secret_expires_at: datetime = Field(
        description="Until then deliveries carry a signature with each secret"
    )


class EventOut(BaseModel):
    id: UUID = Field(description="The webhook-id header of its deliveries")
    event_number: int
    type: str
    payload: dict[str, Any]
    status: str  # pending, delivered, failed
    attempts: int
    next_attempt_at: datetime | None
    created_at: datetime
    delivered_at: datetime | None

    @classmethod
    def of(cls, row: asyncpg.Record) -> EventOut:
        fields = {k: row[k] for k in cls.model_fields if k != "payload"}
        if row["status"] != "pending":
            fields["next_attempt_at"] = None
        return cls(payload=orjson.loads(row["payload"]), **fields)


class EventsOut(BaseModel):
    subscription_id: UUID
    last_event_number: int
    events: list[EventOut]


class DeliveryOut(BaseModel):
    id: int
    notification_id: UUID
    event_number: int
    attempt: int
    attempted_at: datetime
    http_status: int | None
    error: str | None
    duration_ms: float


class DeliveriesOut(BaseModel):
    subscription_id: UUID
    deliveries: list[DeliveryOut]
