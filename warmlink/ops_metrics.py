"""Prometheus `GET /metrics` for operations, in every service (role `admin`).

What it shows: consumer lag per partition and the consumers' record counts, the outbox backlog and
the age of its oldest row, dead letters by consumer and reason, whether this process is the
relay leader, the process itself (CPU, memory, GC), and whatever a service adds through
`ServiceSpec.collectors`.

Everything is read at scrape time, nothing is kept between scrapes: in-process numbers from the
consumers and the relay, and one short query per database gauge on one pooled connection. A
collector that fails or is slow is reported by `warmlink_metrics_collector_up` instead of failing
the scrape. prometheus-client's collectors are synchronous, so each scrape renders its own
snapshot; the process collectors live in a registry per app, never the global default one, so
several apps in one process (tests) do not collide.

Labels are consumer names, topics, partitions, event types and reason codes only: never anything
that could identify a patient.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Annotated, Literal, NamedTuple

import asyncpg
from fastapi import APIRouter, Request
from prometheus_client import (
    CONTENT_TYPE_PLAIN_0_0_4,
    CollectorRegistry,
    GCCollector,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.metrics_core import Metric
from starlette.responses import Response

from warmlink.auth import Caller, Role, require_role
from warmlink.consumer import IdempotentConsumer
from warmlink.db import DATABASE_ERRORS, Connection
from warmlink.relay import OutboxRelay

if TYPE_CHECKING:
    from warmlink.service import Runtime

log = logging.getLogger(__name__)

# A scrape must stay cheap and answer even when the database does not.
ACQUIRE_TIMEOUT_S = 2.0
COLLECTOR_TIMEOUT_S = 2.0


class Sample(NamedTuple):
    """One value of one metric. A counter's `name` is given without the `_total` suffix."""

    name: str
    help: str
    type: Literal["gauge", "counter"]
    labels: Mapping[str, str]
    value: float


# Given a pooled connection, returns samples. See `ServiceSpec.collectors`.
Collector = Callable[[Connection], Awaitable[Iterable[Sample]]]

OUTBOX_BACKLOG = """
SELECT count(*) AS unpublished,
       coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8 AS oldest_age_s
FROM outbox WHERE published_at IS NULL"""

DEAD_LETTERS = """
SELECT consumer, reason, count(*) AS letters FROM dead_letters GROUP BY consumer, reason"""


async def outbox_backlog(conn: Connection) -> list[Sample]:
    row = await conn.fetchrow(OUTBOX_BACKLOG)
    assert row is not None
    return [
        Sample(
            "warmlink_outbox_unpublished",
            "Outbox rows committed but not yet published to the broker.",
            "gauge",
            {},
            row["unpublished"],
        ),
        Sample(
            "warmlink_outbox_oldest_unpublished_age_seconds",
            "Age of the oldest unpublished outbox row (0 when none).",
            "gauge",
            {},
            max(row["oldest_age_s"], 0.0),
        ),
    ]


async def dead_letters(conn: Connection) -> list[Sample]:
    return [
        Sample(
            "warmlink_dead_letters",
            "Dead letters kept in the service's dead_letters table.",
            "gauge",
            {"consumer": r["consumer"], "reason": r["reason"]},
            r["letters"],
        )
        for r in await conn.fetch(DEAD_LETTERS)
    ]


RUNTIME_COLLECTORS: tuple[Collector, ...] = (outbox_backlog, dead_letters)

_OUTCOMES = (
    ("processed", "processed"),
    ("duplicate", "duplicates"),
    ("skipped", "skipped"),
    ("dead_lettered", "dead_lettered"),
)


async def consumer_samples(consumer: IdempotentConsumer) -> list[Sample]:
    samples = [
        Sample(
            "warmlink_consumer_records",
            "Records this process's consumer handled, by outcome (skipped: no handler for it).",
            "counter",
            {"consumer": consumer.name, "outcome": outcome},
            getattr(consumer.stats, field),
        )
        for outcome, field in _OUTCOMES
    ]
    for tp, lag in sorted((await consumer.lag()).items()):
        labels = {"consumer": consumer.name, "topic": tp.topic, "partition": str(tp.partition)}
        help_ = "Records on the broker not yet fetched by the consumer (highwater - position)."
        samples.append(Sample("warmlink_consumer_lag", help_, "gauge", labels, lag))
    return samples


def relay_samples(relay: OutboxRelay) -> list[Sample]:
    return [
        Sample(
            "warmlink_outbox_relay_leader",
            "1 if this process holds the relay's leader lock (one relay per database publishes).",
            "gauge",
            {},
            int(relay.is_leader),
        ),
        Sample(
            "warmlink_outbox_published",
            "Outbox rows this process's relay published.",
            "counter",
            {},
            relay.published,
        ),
        Sample(
            "warmlink_broker_losses_detected",
            "Times this process's relay found the broker had lost its log and re-published.",
            "counter",
            {},
            relay.broker_watch.losses_detected,
        ),
        Sample(
            "warmlink_broker_loss_requeued",
            "Outbox rows queued again after the broker lost its log.",
            "counter",
            {},
            relay.broker_watch.republished,
        ),
    ]


async def database_samples(pool: asyncpg.Pool, collectors: Sequence[Collector]) -> list[Sample]:
    """Run each collector on one pooled connection; a failure costs only that collector."""
    up: dict[str, bool] = {_name(c): False for c in collectors}
    samples: list[Sample] = []
    try:
        async with pool.acquire(timeout=ACQUIRE_TIMEOUT_S) as conn:
            for collector in collectors:
                try:
                    got = await asyncio.wait_for(collector(conn), COLLECTOR_TIMEOUT_S)
                    samples.extend(got)
                    up[_name(collector)] = True
                except Exception as exc:  # a broken collector must not blind the whole scrape
                    log.warning(
                        "metrics collector failed",
                        extra={"collector": _name(collector), "error": type(exc).__name__},
                    )
    except DATABASE_ERRORS as exc:  # TimeoutError is an OSError
        log.warning("metrics: no database connection", extra={"error": type(exc).__name__})
    help_ = "1 if the collector's query answered during this scrape."
    samples += [
        Sample("warmlink_metrics_collector_up", help_, "gauge", {"collector": name}, int(ok))
        for name, ok in up.items()
    ]
    return samples


def _name(collector: Collector) -> str:
    return getattr(collector, "__name__", type(collector).__name__)


class _Snapshot:
    """One scrape's samples, grouped into metric families (prometheus-client's collector API)."""

    def __init__(self, samples: Iterable[Sample]) -> None:
        self._samples = list(samples)

    def collect(self) -> Iterator[Metric]:
        families: dict[str, Metric] = {}
        for s in self._samples:
            family = families.get(s.name)
            if family is None:
                family = families[s.name] = Metric(s.name, s.help, s.type)
            suffix = "_total" if s.type == "counter" else ""
            family.add_sample(s.name + suffix, dict(s.labels), float(s.value))
        yield from families.values()


async def scrape(runtime: Runtime, collectors: Sequence[Collector]) -> bytes:
    samples = relay_samples(runtime.relay)
    for consumer in runtime.consumers:
        samples += await consumer_samples(consumer)
    samples += await database_samples(runtime.pool, [*RUNTIME_COLLECTORS, *collectors])
    return generate_latest(_Snapshot(samples))


def metrics_router(collectors: Sequence[Collector] = ()) -> APIRouter:
    """`GET /metrics` for one app: the runtime's metrics plus the service's `collectors`."""
    process = CollectorRegistry(auto_describe=True)
    ProcessCollector(registry=process)
    PlatformCollector(registry=process)
    GCCollector(registry=process)
    router = APIRouter(tags=["operations"])

    @router.get("/metrics", response_class=Response)
    async def metrics(request: Request, _: Annotated[Caller, require_role(Role.ADMIN)]) -> Response:
        """Prometheus text format; scrape with an admin bearer token."""
        runtime: Runtime = request.app.state.runtime
        body = generate_latest(process) + await scrape(runtime, collectors)
        # The classic text format, which every Prometheus version reads (names are legacy-safe).
        return Response(body, media_type=CONTENT_TYPE_PLAIN_0_0_4)

    return router
