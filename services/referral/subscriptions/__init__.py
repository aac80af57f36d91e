"""Closed-loop subscriptions: referral status changes pushed to webhooks and SSE streams.

DOMAIN.md "Closed-loop notification": a subscriber gets a handshake (event 0), then every status
change of its referrals (as referring site or as practice) with a running event number, and a
heartbeat when idle; payloads are minimal (ids, status, times: no PHI). A gap in the numbers is
filled by replay (`GET /v1/subscriptions/{id}/events?since=N`).

- `record_status_change` runs in the referral handler's transaction: the notification commits
  with the change or not at all, queued without a number; the delivery worker numbers queued
  notifications after the commit (notifications.py, migrations/014).
- The delivery worker sends each subscription's notifications in order, signed per Standard
  Webhooks, retrying with backoff for `webhook_max_age_s` before giving one up (worker.py,
  claims.py, backoff.py, signing.py). Destinations are checked against SSRF (ssrf.py).
- Everything is in PostgreSQL (migrations/010_subscriptions.sql); nothing lives only in memory.

Wiring (bootstrap): `routers=[..., router]`, `on_startup=[start_subscriptions]`, and
`ReferralSettings(SubscriptionSettings, ServiceSettings)` for the settings (settings.py).
"""

from __future__ import annotations

from fastapi import APIRouter

from services.referral.subscriptions.events import router as _events_router
from services.referral.subscriptions.manage import router as _manage_router
from services.referral.subscriptions.notifications import record_status_change
from services.referral.subscriptions.settings import SubscriptionSettings
from services.referral.subscriptions.startup import start_subscriptions

router = APIRouter()
router.include_router(_manage_router)
router.include_router(_events_router)

__all__ = ["SubscriptionSettings", "record_status_change", "router", "start_subscriptions"]
