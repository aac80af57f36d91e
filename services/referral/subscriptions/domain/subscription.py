"""A new subscription, as the create route hands it to the service layer."""

from __future__ import annotations

from dataclasses import dataclass

from services.referral.subscriptions.domain.config import WebhookConfig
from services.referral.subscriptions.domain.errors import HeartbeatTooFrequent
from services.referral.subscriptions.domain.signing import Scheme


@dataclass(frozen=True)
class CreateSubscription:
    """An endpoint to notify of the organization's referrals' status changes and alerts. `types`
    chooses the notification types, the filters narrow status changes; either left None (or
    given empty) takes everything; `heartbeat_s` None takes the settings' default. `signature`:
    the Standard Webhooks scheme its deliveries are signed with (domain/signing.py)."""

    organization_id: str
    url: str
    types: list[str] | None
    statuses: list[str] | None
    event_types: list[str] | None
    heartbeat_s: float | None
    signature: Scheme = "v1"
    # A FHIR Backport subscription (domain/backport.py): its FHIR base, and the Task role
    # (requester, owner) its filter narrows to; None for both.
    fhir_base: str | None = None
    organization_role: str | None = None

    def heartbeat_under(self, config: WebhookConfig) -> float:
        """The heartbeat period this subscription gets: its own choice, no shorter than the
        network allows, or the network's default."""
        if self.heartbeat_s is None:
            return config.heartbeat_s
        if self.heartbeat_s < config.heartbeat_min_s:
            raise HeartbeatTooFrequent(config.heartbeat_min_s)
        return self.heartbeat_s
