"""The part's routes as one router, for the service's bootstrap to include."""

from __future__ import annotations

from fastapi import APIRouter

from services.referral.subscriptions.entrypoints import (
    fhir_subscriptions,
    notifications,
    subscriptions,
)

router = APIRouter()
router.include_router(subscriptions.router)
router.include_router(notifications.router)
router.include_router(fhir_subscriptions.router)
