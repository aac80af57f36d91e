"""Wires the directory service: identity, listings, capacity, matching and their consumers."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.directory import observed_refresh, stale_sweep
from services.directory.adapters.key_cache import PublishedKeys
from services.directory.adapters.match_index import MatchIndex
from services.directory.entrypoints import http, listings, matches, oauth
from services.directory.handlers import Handlers
from services.directory.hsds.entrypoints import http as hsds
from services.directory.settings import DirectorySettings
from warmlink.consumer import Subscription
from warmlink.service import Runtime, ServiceSpec, create_app, supervise

Settings = DirectorySettings


def capacity_subscription(settings: DirectorySettings) -> Subscription:
    """Referral events move capacity holds and each practice's observed behaviour."""
    h = Handlers(settings)
    return Subscription(
        "directory.capacity",
        {
            "ReferralSubmitted": h.submitted,
            "ReferralRedirected": h.redirected,
            "IntakeAcknowledged": h.acknowledged,
            "ReferralDeclined": h.declined,
            "ReferralCancelled": h.cancelled,
            "AppointmentScheduled": h.scheduled,
            "AppointmentAttended": h.attended,
            "AppointmentMissed": h.missed,
        },
        background=True,
    )


async def verify_own_tokens(app: FastAPI, runtime: Runtime) -> None:
    """Tokens this service issues are checked against its own key table."""
    keys = PublishedKeys(runtime.pool)
    await keys.refresh()
    app.state.published_keys = keys
    app.state.verifier.local = keys.snapshot
    runtime.background.append(supervise("signing-key-refresh", keys.keep_fresh()))


async def start_match_index(app: FastAPI, runtime: Runtime) -> None:
    """Matching reads an in-memory index of the directory that follows the database."""
    index = MatchIndex(runtime.pool)
    await index.listen()
    await index.reload()
    app.state.match_index = index
    runtime.background.append(supervise("match-index", index.follow()))


async def start_observed_refresh(app: FastAPI, runtime: Runtime) -> None:
    settings: DirectorySettings = runtime.settings  # type: ignore[assignment]
    runtime.background.append(
        supervise("observed-refresh", observed_refresh.keep_refreshing(runtime.pool, settings))
    )


async def start_stale_sweep(app: FastAPI, runtime: Runtime) -> None:
    settings: DirectorySettings = runtime.settings  # type: ignore[assignment]
    runtime.background.append(
        supervise("stale-sweep", stale_sweep.keep_announcing(runtime.pool, settings))
    )


def build_app(settings: DirectorySettings | None = None) -> FastAPI:
    settings = settings or DirectorySettings()
    return create_app(
        ServiceSpec(
            settings=settings,
            migrations=Path(__file__).parent / "migrations",
            routers=[
                matches.router,  # first: the hot path, and routes are tried in order
                oauth.router,
                http.router,
                http.keys_router,
                listings.router,
                hsds.router,
            ],
            subscriptions=[capacity_subscription(settings)],
            title="Warmlink directory",
            on_startup=[
                verify_own_tokens,
                start_match_index,
                start_observed_refresh,
                start_stale_sweep,
            ],
        )
    )
