"""Wires the directory service: identity, listings, capacity, matching, the HSDS export, the
consumer of referral events and the background workers."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from fastapi import FastAPI

from services.directory.adapters import sealed_columns
from services.directory.adapters.key_cache import PublishedKeys
from services.directory.adapters.match_index import MatchIndex
from services.directory.adapters.ops import capacity_freshness
from services.directory.entrypoints import identity, listings, matches, organizations, partners
from services.directory.hsds.entrypoints import http as hsds
from services.directory.service_layer.events import subscriptions
from services.directory.settings import DirectorySettings
from services.directory.workers import match_index, observed_refresh, signing_keys, stale_sweep
from warmlink.service import Runtime, ServiceSpec, create_app, supervise

Settings = DirectorySettings


async def verify_own_tokens(app: FastAPI, runtime: Runtime) -> None:
    """Tokens this service issues are checked against its own key table."""
    keys = PublishedKeys(runtime.background_pool)
    await keys.refresh()
    app.state.published_keys = keys
    app.state.verifier.local = keys.snapshot
    runtime.background.append(supervise("signing-key-refresh", partial(signing_keys.run, keys)))


async def start_match_index(app: FastAPI, runtime: Runtime) -> None:
    """Matching reads an in-memory index of the directory that follows the database."""
    index = MatchIndex(runtime.background_pool)
    await index.listen()
    await index.reload()
    app.state.match_index = index
    runtime.background.append(supervise("match-index", partial(match_index.run, index)))


async def start_observed_refresh(app: FastAPI, runtime: Runtime) -> None:
    settings: DirectorySettings = runtime.settings  # type: ignore[assignment]
    runtime.background.append(
        supervise(
            "observed-refresh", partial(observed_refresh.run, runtime.background_pool, settings)
        )
    )


async def start_stale_sweep(app: FastAPI, runtime: Runtime) -> None:
    settings: DirectorySettings = runtime.settings  # type: ignore[assignment]
    runtime.background.append(
        supervise("stale-sweep", partial(stale_sweep.run, runtime.background_pool, settings))
    )


def spec(settings: DirectorySettings) -> ServiceSpec:
    return ServiceSpec(
        settings=settings,
        migrations=Path(__file__).parent / "migrations",
        sealed=sealed_columns.SEALED,
        routers=[
            matches.router,  # first: the hot path, and routes are tried in order
            identity.router,
            organizations.router,
            partners.router,
            identity.keys_router,
            listings.router,
            hsds.router,
        ],
        subscriptions=subscriptions(settings),
        collectors=[capacity_freshness(settings.capacity_max_age)],
        title="Warmlink directory",
        on_startup=[
            verify_own_tokens,
            start_match_index,
            start_observed_refresh,
            start_stale_sweep,
        ],
    )


def build_app(settings: DirectorySettings | None = None) -> FastAPI:
    return create_app(spec(settings or DirectorySettings()))
