"""One FastAPI application factory for every service: lifespan, health, errors, auth, tracing.

Startup: logging and tracing, database pool, migrations, topics, producer, outbox relay, consumers.
Shutdown, in reverse: stop taking new batches and finish the current one, drain the relay, close
the producer and the pool. Nothing is created at import time.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import asyncpg
from aiokafka import AIOKafkaProducer
from fastapi import APIRouter, Depends, FastAPI, Request
from starlette.responses import JSONResponse, Response

from warmlink import guard, logs, openapi, problems, retention, telemetry
from warmlink.auth import CallerDep, TokenVerifier
from warmlink.consumer import IdempotentConsumer, Subscription
from warmlink.db import DATABASE_ERRORS
from warmlink.db_roles import grant_runtime, role_of
from warmlink.http_tracing import TraceRequests
from warmlink.kafka import ensure_topics, network_topics, new_producer
from warmlink.migrations import RUNTIME_MIGRATIONS, discover, migrate
from warmlink.ops_metrics import Collector, metrics_router
from warmlink.pool import create_pool
from warmlink.refusals import RefusalAudit
from warmlink.relay import OutboxRelay
from warmlink.sealed import SealedColumns, run_backfills
from warmlink.settings import ServiceSettings
from warmlink.supervision import RestartPolicy, is_down, supervise

__all__ = ["Runtime", "ServiceSpec", "create_app", "start_runtime", "supervise"]

if TYPE_CHECKING:  # a FastAPI without native telemetry keeps `telemetry=` as an extra
    from fastapi.telemetry import TelemetryConfig

log = logging.getLogger(__name__)
BACKFILL_BATCH = 500  # rows sealed per transaction at start

Hook = Callable[[FastAPI, "Runtime"], Awaitable[None]]


@dataclass
class ServiceSpec:
    """Everything that makes one service different from another.

    `collectors` add service-specific metrics to `GET /metrics` (`warmlink.ops_metrics`). Each
    is an async function `(conn: Connection) -> Iterable[Sample]` run at every scrape on a pooled
    connection: keep it to one short query, and label by codes and ids of organizations, never
    patient data. A counter's name goes without `_total`::

        async def sla_breaches(conn: Connection) -> list[Sample]:
            rows = await conn.fetch("SELECT kind, count(*) AS n FROM clocks WHERE breached ...")
            return [Sample("warmlink_followup_sla_breaches", "Open SLA breaches.", "gauge",
                           {"kind": r["kind"]}, r["n"]) for r in rows]

    A failing collector shows as `warmlink_metrics_collector_up{collector="sla_breaches"} 0`.
    """

    settings: ServiceSettings
    migrations: Path
    routers: Sequence[APIRouter] = ()
    subscriptions: Sequence[Subscription] = ()
    title: str = ""
    on_startup: Sequence[Hook] = ()
    collectors: Sequence[Collector] = ()
    # Every sealed column, declared once (warmlink/sealed.py): re-sealed by `warmlink seal
    # reseal`; its backfills seal rows stored in clear before a column was sealed, at start.
    sealed: SealedColumns = field(default_factory=SealedColumns)
    # Routers of HTML pages for people (the portal's): served like `routers`, but left out of
    # the OpenAPI document, which describes the JSON API.
    pages: Sequence[APIRouter] = ()


@dataclass
class Runtime:
    """`pool` serves requests (acquisition time-limited); `background_pool` serves the relay,
    the consumers and the workers, so neither can starve the other."""

    settings: ServiceSettings
    pool: asyncpg.Pool
    background_pool: asyncpg.Pool
    producer: AIOKafkaProducer
    relay: OutboxRelay
    consumers: list[IdempotentConsumer]
    tasks: list[asyncio.Task[None]] = field(default_factory=list)  # drained on stop
    background: list[asyncio.Task[None]] = field(default_factory=list)  # cancelled on stop
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)  # after drain
    refusals: RefusalAudit = field(default_factory=RefusalAudit)  # 401/403s for the audit log

    async def stop(self) -> None:
        for task in self.background:
            task.cancel()
        await asyncio.gather(*self.background, return_exceptions=True)
        await self.refusals.flush(self.background_pool)
        for consumer in self.consumers:
            consumer.stop()
        self.relay.stop()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(asyncio.gather(*self.tasks, return_exceptions=True), 30)
        for close in self.closers:
            await close()
        await self.producer.stop()
        await self.pool.close()
        await self.background_pool.close()


async def start_runtime(spec: ServiceSpec, app: FastAPI | None = None) -> Runtime:
    settings = spec.settings
    # A service with sealed columns needs its key before it opens anything: refused at once.
    keyring = settings.required_seal_keyring() if spec.sealed.columns else None
    pool = await create_pool(settings, acquire_timeout_s=settings.database_acquire_timeout_s)
    background_pool = await create_pool(settings, settings.database_background_pool_max, min_size=1)
    await _migrate(spec, background_pool)
    if keyring is not None and spec.sealed.backfills:
        async with background_pool.acquire() as conn:
            await run_backfills(conn, keyring, spec.sealed, BACKFILL_BATCH)
    await ensure_topics(settings, network_topics(settings))
    producer = new_producer(settings)
    await producer.start()
    relay = OutboxRelay(background_pool, producer, settings)
    consumers = [IdempotentConsumer(s, background_pool, settings) for s in spec.subscriptions]

    def read_the_new_log() -> None:
        for consumer in consumers:
            consumer.rewind()

    relay.broker_watch.on_loss = read_the_new_log
    runtime = Runtime(settings, pool, background_pool, producer, relay, consumers)
    restarts = RestartPolicy(settings.task_restart_initial_s, settings.task_restart_max_s)
    refusals = partial(runtime.refusals.run, background_pool)
    runtime.background.append(supervise("refusal audit", refusals, restarts))
    if settings.relay_enabled:
        runtime.tasks.append(supervise("relay", relay.run, restarts))
    sweep = partial(retention.sweep, background_pool, settings)
    runtime.background.append(supervise("retention", sweep, restarts))
    if settings.consumers_enabled:
        for consumer in consumers:
            runtime.tasks.append(supervise(consumer.name, consumer.run, restarts))
    if app is not None:
        for hook in spec.on_startup:
            await hook(app, runtime)
    return runtime


async def _migrate(spec: ServiceSpec, background_pool: asyncpg.Pool) -> None:
    """As the owner role when one is configured (then grant the runtime role), else as the
    runtime's own role."""
    settings = spec.settings
    migrations = discover(("runtime", RUNTIME_MIGRATIONS), (settings.service_name, spec.migrations))
    if settings.migration_database_url is None:
        async with background_pool.acquire() as conn:
            await migrate(conn, migrations)
        return
    owner = await asyncpg.connect(settings.migration_database_url.get_secret_value())
    try:
        await migrate(owner, migrations)
        await grant_runtime(owner, role_of(settings.database_url))
    finally:
        await owner.close()


def create_app(spec: ServiceSpec) -> FastAPI:
    settings = spec.settings

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        logs.configure(settings.service_name, settings.log_level, settings.log_format)
        telemetry.configure_service(settings)
        app.state.verifier = verifier_for(settings)
        runtime = await start_runtime(spec, app)
        app.state.runtime = runtime
        _freeze_startup_objects()
        log.info("service started", extra={"port": settings.http_port})
        try:
            yield
        finally:
            log.info("service stopping: draining consumers and outbox")
            await runtime.stop()
            await app.state.verifier.close()
            telemetry.flush()

    app = FastAPI(
        title=spec.title or f"Warmlink {settings.service_name}",
        version="1.0.0",
        lifespan=lifespan,
        telemetry=NO_NATIVE_TELEMETRY,
    )
    app.state.rate_limits = settings.rate_limits()  # per process, in memory (warmlink.guard)
    problems.install(app)
    app.add_middleware(TraceRequests)
    app.include_router(_health_router(settings.service_name))
    app.include_router(metrics_router(spec.collectors))
    for router in spec.routers:
        app.include_router(router)
    for router in spec.pages:
        app.include_router(router, include_in_schema=False)
    guard.install(app.router.routes)
    openapi.install(app)
    return app


def _freeze_startup_objects() -> None:
    """What startup made (modules, the app, pools, templates: about 100,000 objects in the
    portal) lives as long as the process, yet every full garbage collection walked it again, a
    pause of 50 ms or more on the development VM that stalls every request in flight. Frozen,
    it is left out of collections; the garbage startup left is collected first."""
    gc.collect()
    gc.freeze()


# FastAPI's own OpenTelemetry (on whenever a tracer provider is set) would add four spans to our
# one per request (a quarter of a no-op request's CPU here), and its logs record validation
# failures with the input values, which can be patient data. `TraceRequests` makes the one
# server span, named by route template.
NO_NATIVE_TELEMETRY: TelemetryConfig = {
    "tracing": False,
    "metrics": False,
    "logs": False,
    "operation_spans": False,
}


def verifier_for(settings: ServiceSettings) -> TokenVerifier:
    """The token verifier a service's settings describe (also for processes without an app,
    such as the referral service's separate webhook delivery)."""
    aud, iss = settings.jwt_audience, settings.jwt_issuer
    limits: dict[str, Any] = {
        "jwks_url": settings.jwks_url,
        "max_lifetime_s": settings.jwt_max_lifetime_s,
        "jwks_max_age_s": settings.jwks_max_age_s,
        "dev_kid_allowed": settings.environment != "production",
        "leeway_s": settings.jwt_clock_leeway_s,
    }
    if settings.jwt_public_key_file is not None:
        return TokenVerifier.from_file(settings.jwt_public_key_file, aud, iss, **limits)
    return TokenVerifier(aud, iss, **limits)


async def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(_runtime)]


def _health_router(service: str) -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/health")
    async def health() -> dict[str, Any]:
        return {"status": "ok", "service": service}

    @router.get("/v1/whoami", tags=["identity"])
    async def whoami(caller: CallerDep) -> dict[str, str]:
        """Who the token says you are: a cheap way to check a token (and the HTTP floor)."""
        return {
            "subject": caller.subject,
            "organization_id": caller.organization_id,
            "role": str(caller.role),
        }

    @router.get("/ready")
    async def ready(runtime: RuntimeDep) -> Response:
        failed = [t.get_name() for t in runtime.tasks + runtime.background if is_down(t)]
        try:
            await runtime.pool.fetchval("SELECT 1")
        except DATABASE_ERRORS:
            failed.append("database")
        status = 200 if not failed else 503
        body = {"status": "ready" if not failed else "degraded", "service": service}
        if failed:
            body["failed"] = ",".join(failed)
        return JSONResponse(body, status_code=status)

    return router
