"""Closed-loop subscriptions: referral status changes and alerts pushed to webhooks and SSE.

docs/domain.md "Closed-loop notification": a subscriber gets a handshake (event 0), then every
status change of its referrals (as referring site or as practice) and, as referring site, every
alert (an SLA breach, a gate risk: domain/alerts.py) with a running event number, and a heartbeat
when idle; payloads are minimal (ids, codes, times: no PHI). A subscription's `types` chooses
which notification types it takes (none given: all). A gap in the numbers is filled by replay
(`GET /v1/subscriptions/{id}/events?since=N`).

- `service_layer/events.on_status_change` runs in the referral handler's transaction, and
  `on_alert_raised` in the follow-up consumer's: the notification commits with the change or
  not at all, queued without a number; the delivery worker numbers queued notifications after
  the commit (adapters/notifications.py, migrations/014).
- The delivery worker (workers/delivery.py) sends each subscription's notifications in order,
  signed per Standard Webhooks (domain/signing.py, adapters/webhook_http.py), retrying with
  backoff for `webhook_max_age_s` before giving one up (domain/backoff.py, adapters/claims.py).
  Destinations are checked against SSRF (domain/ssrf.py, adapters/destinations.py).
- A subscription signs with a shared secret (Standard Webhooks `v1`) or an ed25519 key pair whose
  public key it shows (`v1a`), both sealed at rest (domain/signing.py, adapters/sealing.py).
- The same subscriptions are offered in the FHIR R4 Backport shape (`/fhir/Subscription`,
  entrypoints/fhir_subscriptions.py): rows of the same table whose notifications the worker
  renders as Backport Bundles as it sends them (domain/backport.py, domain/backport_bundles.py);
  `domain.backport.capability_resource` is their CapabilityStatement entry.
- Subscriptions are managed through service_layer/commands.py, behind entrypoints/.
- Everything is in PostgreSQL (migrations/010_subscriptions.sql); nothing lives only in memory.

Wiring (the service's bootstrap): `routers=[..., entrypoints.routes.router]`,
`on_startup=[workers.startup.start_subscriptions]`, the status listener
`service_layer.events.on_status_change`, and `ReferralSettings(SubscriptionSettings,
ServiceSettings)` for the settings (domain/config.py). With `webhook_delivery = "separate"`,
`python -m services.referral.subscriptions.entrypoints.delivery_process` delivers.
"""
