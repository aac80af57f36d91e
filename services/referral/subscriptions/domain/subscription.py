"""A new subscription, as the create route hands it to the service layer."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CreateSubscription:
    """An endpoint to notify of the organization's referrals' status changes and alerts. `types`
    chooses the notification types, the filters narrow status changes; either left None (or
    given empty) takes everything; `heartbeat_s` None takes the settings' default."""

    organization_id: str
    url: str
    types: list[str] | None
    statuses: list[str] | None
    event_types: list[str] | None
    heartbeat_s: float | None
