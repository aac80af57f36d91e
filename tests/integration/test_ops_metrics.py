"""`GET /metrics` of an app built by `create_app`, on the real broker and PostgreSQL: exact
backlog, lag, consumer counts and dead letters; a service collector; admin only."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
import structlog
from prometheus_client.parser import text_string_to_metric_families

from contracts import Envelope, ScreenPositive, encode, wrap
from contracts.topics import SCREENING
from tests.integration.harness import POISON, HarnessSettings, emit, screen, settings_for
from tests.support.infra import Infrastructure
from tests.support.waiting import eventually
from warmlink.auth import Role
from warmlink.consumer import Subscription
from warmlink.db import Connection
from warmlink.kafka import new_producer, topic_name
from warmlink.ops_metrics import Collector, Sample
from warmlink.service import Runtime, ServiceSpec, create_app
from warmlink.tokens import ensure_key_pair, issue_token

MIGRATIONS = Path(__file__).parent / "runtime_sql"
Series = dict[tuple[tuple[str, str], ...], float]


@pytest.fixture(autouse=True)
def restore_root_logger() -> Iterator[None]:
    """The app's lifespan configures JSON logging on the root logger; undo it afterwards."""
    root = logging.getLogger()
    levels = {name: logging.getLogger(name).level for name in ("", "aiokafka", "kafka")}
    yield
    for handler in root.handlers[:]:
        if isinstance(handler.formatter, structlog.stdlib.ProcessorFormatter):
            root.removeHandler(handler)
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


class Scraper:
    def __init__(self, client: httpx.AsyncClient, private_key: bytes) -> None:
        self.client = client
        self.private_key = private_key

    def auth(self, role: Role, org: str = "network-admin") -> dict[str, str]:
        token = issue_token(self.private_key, organization_id=org, role=role)
        return {"Authorization": f"Bearer {token}"}

    async def series(self, name: str) -> Series:
        """Every sample called `name` (counters: with `_total`), keyed by its sorted labels."""
        response = await self.client.get("/metrics", headers=self.auth(Role.ADMIN))
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
        return {
            tuple(sorted(s.labels.items())): s.value
            for family in text_string_to_metric_families(response.text)
            for s in family.samples
            if s.name == name
        }

    async def value(self, name: str, **labels: str) -> float | None:
        return (await self.series(name)).get(tuple(sorted(labels.items())))


@asynccontextmanager
async def serving(
    settings: HarnessSettings,
    tmp_path: Path,
    subscriptions: list[Subscription] | None = None,
    collectors: list[Collector] | None = None,
) -> AsyncIterator[tuple[Scraper, Runtime]]:
    private_path, public_path = ensure_key_pair(tmp_path / "keys")
    settings.jwt_public_key_file = public_path
    spec = ServiceSpec(
        settings=settings,
        migrations=MIGRATIONS,
        subscriptions=subscriptions or [],
        collectors=collectors or [],
    )
    app = create_app(spec)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://ops") as client,
    ):
        yield Scraper(client, private_path.read_bytes()), app.state.runtime


# The service-specific hook, as a service would register it: one short query, coded labels.
async def outboxed_events(conn: Connection) -> list[Sample]:
    rows = await conn.fetch("SELECT event_type, count(*) AS n FROM outbox GROUP BY event_type")
    return [
        Sample(
            "warmlink_test_outboxed_events",
            "Outbox rows by event type.",
            "gauge",
            {"event_type": r["event_type"]},
            r["n"],
        )
        for r in rows
    ]


async def broken_collector(conn: Connection) -> list[Sample]:
    raise RuntimeError("a collector with a bug")


async def test_backlog_service_collector_and_admin_only(
    infra: Infrastructure, database_url: str, tmp_path: Path
) -> None:
    settings = settings_for(infra, database_url, relay_enabled=False, consumers_enabled=False)
    async with serving(settings, tmp_path, collectors=[outboxed_events, broken_collector]) as (
        scraper,
        runtime,
    ):
        assert await scraper.value("warmlink_outbox_unpublished") == 0
        assert await scraper.value("warmlink_outbox_oldest_unpublished_age_seconds") == 0

        await emit(runtime, screen("a"), screen("b"), screen("c"))
        await runtime.pool.execute(
            "UPDATE outbox SET created_at = now() - interval '90 seconds'"
            " WHERE id = (SELECT min(id) FROM outbox)"
        )
        assert await scraper.value("warmlink_outbox_unpublished") == 3
        age = await scraper.value("warmlink_outbox_oldest_unpublished_age_seconds")
        assert age is not None and 90 <= age < 120
        assert await scraper.value("warmlink_outbox_relay_leader") == 0
        assert await scraper.series("warmlink_dead_letters") == {}
        assert await scraper.series("warmlink_test_outboxed_events") == {
            (("event_type", "ScreenPositive"),): 3
        }
        assert await scraper.series("warmlink_metrics_collector_up") == {
            (("collector", "outbox_backlog"),): 1,
            (("collector", "dead_letters"),): 1,
            (("collector", "outboxed_events"),): 1,
            (("collector", "broken_collector"),): 0,
        }
        assert await scraper.value("process_resident_memory_bytes") is not None

        missing = await scraper.client.get("/metrics")
        garbage = await scraper.client.get("/metrics", headers={"Authorization": "Bearer x.y.z"})
        clinic = await scraper.client.get(
            "/metrics", headers=scraper.auth(Role.CLINIC, "riverside-ob")
        )
    for response, status in ((missing, 401), (garbage, 401), (clinic, 403)):
        assert response.status_code == status
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["status"] == status
        assert "warmlink_" not in response.text


class Gate:
    """A handler that holds the first batch until opened, so records pile up behind it."""

    def __init__(self) -> None:
        self.entered = asyncio.Event()
        self.opened = asyncio.Event()

    async def handle(self, conn: Connection, envelope: Envelope, event: ScreenPositive) -> None:
        if event.patient_ref == POISON:
            raise RuntimeError("this handler always fails for the poison pill")
        self.entered.set()
        await self.opened.wait()
        await conn.execute(
            "INSERT INTO effects (event_id, screening_id, patient_ref) VALUES ($1, $2, $3)",
            envelope.event_id,
            event.screening_id,
            event.patient_ref,
        )


async def produce(settings: HarnessSettings, *values: bytes) -> None:
    producer = new_producer(settings)
    await producer.start()
    try:
        for value in values:  # one key: one partition, so the lag is on one known partition
            await producer.send_and_wait(topic_name(settings, SCREENING), value, key=b"k")
    finally:
        await producer.stop()


async def test_lag_consumer_counts_dead_letters_and_relay_leadership(
    infra: Infrastructure, database_url: str, tmp_path: Path
) -> None:
    settings = settings_for(infra, database_url)
    gate = Gate()
    gated = Subscription("ops.gated", {"ScreenPositive": gate.handle})
    topic = topic_name(settings, SCREENING)
    async with serving(settings, tmp_path, subscriptions=[gated]) as (scraper, runtime):
        await eventually(
            lambda: scraper.value("warmlink_outbox_relay_leader"),
            until=lambda v: v == 1,
            what="relay leadership",
        )
        await produce(settings, encode(wrap(screen("first"), producer="test")))
        await asyncio.wait_for(gate.entered.wait(), 15)

        # Behind the held batch: two new events, a duplicate, a poison pill, an undecodable
        # record (after the pill: one key, and a key's events after a dead letter are held back).
        second = wrap(screen("second"), producer="test")
        piled = [
            encode(wrap(screen("third"), producer="test")),
            encode(second),
            encode(second),
            encode(wrap(screen(POISON), producer="test")),
            b"{not json",
        ]
        await produce(settings, *piled)
        try:
            lag = await eventually(
                lambda: scraper.series("warmlink_consumer_lag"),
                until=lambda s: sum(s.values()) == len(piled),
                what="lag of the piled-up records",
            )
        finally:
            gate.opened.set()  # also on failure: a held handler would stall the shutdown
        lagging = [labels for labels, v in lag.items() if v]
        assert len(lagging) == 1
        assert dict(lagging[0])["consumer"] == "ops.gated"
        assert dict(lagging[0])["topic"] == topic
        await eventually(
            lambda: scraper.series("warmlink_consumer_lag"),
            until=lambda s: bool(s) and sum(s.values()) == 0,
            what="lag back to 0",
        )
        records = await eventually(
            lambda: scraper.series("warmlink_consumer_records_total"),
            until=lambda s: sum(s.values()) == 1 + len(piled),
            what="every record accounted for",
        )
        assert {dict(k)["outcome"]: v for k, v in records.items()} == {
            "processed": 3,
            "duplicate": 1,
            "skipped": 0,
            "dead_lettered": 2,
            "held_back": 0,
        }
        assert await scraper.series("warmlink_dead_letters") == {
            (("consumer", "ops.gated"), ("reason", "handler_failed")): 1,
            (("consumer", "ops.gated"), ("reason", "undecodable")): 1,
        }
        # The dead letters reach their topic through the outbox: the backlog drains to 0.
        await eventually(
            lambda: scraper.value("warmlink_outbox_unpublished"),
            until=lambda v: v == 0,
            what="outbox drained",
        )
        assert await scraper.value("warmlink_outbox_published_total") == 2
        assert await runtime.pool.fetchval("SELECT count(*) FROM effects") == 3
