"""What the referral routes share: keys, the directory client, status listeners, notifications."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi import Depends, Request

from services.referral.adapters.directory_client import DirectoryClient
from services.referral.domain.auto_redirect import MANUAL, AutoRedirects
from services.referral.domain.redirect import DEFAULT_APPOINTMENT_WITHIN_DAYS
from services.referral.service_layer.commands.announce import StatusListener
from services.referral.service_layer.commands.patient_messages import OFF, PatientMessaging
from warmlink.crypto import Keyring
from warmlink.db import Executor

ConfirmationQueue = Callable[[Executor, Any, Any, Any], Awaitable[None]]


async def _no_confirmation(conn: Executor, referral: Any, practice: Any, body: Any) -> None:
    return None


@dataclass
class ReferralContext:
    keyring: Keyring
    directory: DirectoryClient
    listeners: Sequence[StatusListener] = ()
    queue_confirmation: ConfirmationQueue = field(default=_no_confirmation)
    # By urgency: a first appointment later than this many days makes a referral redirectable.
    appointment_within_days: Mapping[str, int] = field(
        default_factory=lambda: dict(DEFAULT_APPOINTMENT_WITHIN_DAYS)
    )
    document_max_bytes: int = 5 * 1024 * 1024  # ReferralSettings.document_max_bytes
    # The network's own redirects (REFERRAL_REDIRECT_POLICY): a decline or a too-late booking
    # records a trigger for workers/auto_redirect.py.
    redirects: AutoRedirects = MANUAL
    # What the patient is sent on (REFERRAL_NOTIFY_CHANNEL): `smtp`, `sms` or `none`.
    patient_channel: str = "none"
    # Her messages after the first: the channels she may choose from, her status page's address.
    patient_messaging: PatientMessaging = OFF


# async: FastAPI runs a plain-def dependency in a worker thread, a hop dearer than the lookup.
async def _context(request: Request) -> ReferralContext:
    ctx: ReferralContext = request.app.state.referral_context
    return ctx


context = Depends(_context)


def bearer(request: Request) -> str:
    """The caller's own token, passed on to the directory so it applies the caller's rights."""
    return request.headers.get("authorization", "").partition(" ")[2].strip()
