"""Webhook subscription settings: the fields ReferralSettings mixes in, and the values the code
reads. The part has no settings class of its own: ReferralSettings is the service's one.

`class ReferralSettings(SubscriptionSettings, ServiceSettings)` gives these fields their
environment variables (`REFERRAL_WEBHOOK_ALLOW_PRIVATE`, ...). The code reads them through
`WebhookConfig.of`, with getattr and the same defaults, so it also runs on settings without them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from warmlink.crypto import Keyring

DEFAULT_HEARTBEAT_S = 300.0
DEFAULT_MAX_AGE_S = 172_800.0  # two days: retries span a weekend night and a business day
DEFAULT_TIMEOUT_S = 5.0
DEFAULT_RETRY_INITIAL_S = 10.0
# A heartbeat is a signed POST to someone's URL: once a second to any address made the service a
# pinger for hire. A subscriber may ask for one no more often than this.
DEFAULT_HEARTBEAT_MIN_S = 60.0
# Each subscription is a stream of POSTs and a row the delivery worker walks: an organization
# needs a few (a test endpoint, a production one, an EHR), not thousands.
DEFAULT_SUBSCRIPTIONS_PER_ORGANIZATION = 20


class SubscriptionSettings(BaseModel):
    # http:// and private, loopback or link-local destinations: development and tests only.
    webhook_allow_private: bool = False
    # A subscription idle this long gets a heartbeat (each subscription may choose its own).
    webhook_heartbeat_s: float = Field(DEFAULT_HEARTBEAT_S, gt=0)
    # The shortest heartbeat period a subscription may ask for (422 below it).
    webhook_heartbeat_min_s: float = Field(DEFAULT_HEARTBEAT_MIN_S, gt=0)
    # Active subscriptions one organization may hold (409 past it).
    webhook_subscriptions_per_organization: int = Field(
        DEFAULT_SUBSCRIPTIONS_PER_ORGANIZATION, ge=1
    )
    # A notification is retried this long after it was created (or manually redelivered).
    webhook_max_age_s: float = Field(DEFAULT_MAX_AGE_S, gt=0)
    webhook_timeout_s: float = Field(DEFAULT_TIMEOUT_S, gt=0)
    # First retry delay; it doubles on each failure up to one hour.
    webhook_retry_initial_s: float = Field(DEFAULT_RETRY_INITIAL_S, gt=0)
    # Where webhooks are delivered from: every HTTP process (`in_process`), or a process of
    # its own (`separate`, the part's entrypoints/delivery_process.py), whose event loop is not
    # shared with request handling: deliveries to one subscriber are sequential, and each one
    # waited behind the requests on a busy HTTP process's loop.
    webhook_delivery: Literal["in_process", "separate"] = "in_process"
    # An open event stream is woken by NOTIFY when its subscription gets an event; it also
    # looks this often in case a wake-up was lost (another replica's worker, a reconnect).
    webhook_stream_poll_s: float = Field(2.0, gt=0)

    @model_validator(mode="after")
    def _no_private_destinations_in_production(self) -> SubscriptionSettings:
        # `environment` comes from ServiceSettings when this is mixed into a service's settings.
        if self.webhook_allow_private and getattr(self, "environment", None) == "production":
            raise ValueError("refusing to start in production: WEBHOOK_ALLOW_PRIVATE is set")
        if self.webhook_heartbeat_s < self.webhook_heartbeat_min_s:
            raise ValueError("WEBHOOK_HEARTBEAT_S is below WEBHOOK_HEARTBEAT_MIN_S")
        return self


@dataclass(frozen=True)
class WebhookConfig:
    allow_private: bool = False
    heartbeat_s: float = DEFAULT_HEARTBEAT_S
    max_age_s: float = DEFAULT_MAX_AGE_S
    timeout_s: float = DEFAULT_TIMEOUT_S
    retry_initial_s: float = DEFAULT_RETRY_INITIAL_S
    heartbeat_min_s: float = DEFAULT_HEARTBEAT_MIN_S
    subscriptions_per_organization: int = DEFAULT_SUBSCRIPTIONS_PER_ORGANIZATION
    delivery: str = "in_process"
    keyring: Keyring | None = None  # seals webhook secrets at rest: the service's PHI keyring
    # Outside production `allow_private` may be set, so a refusal it would lift names it.
    private_allowable: bool = True

    @classmethod
    def of(cls, settings: object) -> WebhookConfig:
        """Read from any settings object; missing fields take the defaults."""
        return cls(
            allow_private=bool(getattr(settings, "webhook_allow_private", False)),
            heartbeat_s=float(getattr(settings, "webhook_heartbeat_s", DEFAULT_HEARTBEAT_S)),
            max_age_s=float(getattr(settings, "webhook_max_age_s", DEFAULT_MAX_AGE_S)),
            timeout_s=float(getattr(settings, "webhook_timeout_s", DEFAULT_TIMEOUT_S)),
            retry_initial_s=float(
                getattr(settings, "webhook_retry_initial_s", DEFAULT_RETRY_INITIAL_S)
            ),
            heartbeat_min_s=float(
                getattr(settings, "webhook_heartbeat_min_s", DEFAULT_HEARTBEAT_MIN_S)
            ),
            subscriptions_per_organization=int(
                getattr(
                    settings,
                    "webhook_subscriptions_per_organization",
                    DEFAULT_SUBSCRIPTIONS_PER_ORGANIZATION,
                )
            ),
            delivery=str(getattr(settings, "webhook_delivery", "in_process")),
            keyring=_keyring_of(settings),
            private_allowable=getattr(settings, "environment", None) != "production",
        )

    def secrets_keyring(self) -> Keyring:
        if self.keyring is None:
            raise RuntimeError(
                "webhook secrets are sealed with a key ring, none is set (REFERRAL_SEAL_KEYS)"
            )
        return self.keyring


def _keyring_of(settings: object) -> Keyring | None:
    seal_keyring = getattr(settings, "seal_keyring", None)
    if not callable(seal_keyring):
        return None
    found: Keyring | None = seal_keyring()
    return found
