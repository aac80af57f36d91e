"""A throwaway service on the shared runtime, for testing the outbox, relay and consumer."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

import asyncpg
from pydantic_settings import SettingsConfigDict

from contracts import Envelope, ScreenPositive, new_event_id
from tests.support.infra import Infrastructure
from tests.support.waiting import eventually
from warmlink.consumer import Subscription
from warmlink.outbox import publish_later
from warmlink.service import Runtime, ServiceSpec, start_runtime
from warmlink.settings import ServiceSettings

POISON = "poison-pill"
HARNESS_MIGRATIONS = Path(__file__).parent / "runtime_sql"


class HarnessSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="HARNESS_", extra="ignore")
    service_name: ClassVar[str] = "harness"


def settings_for(infra: Infrastructure, database_url: str, **overrides: object) -> HarnessSettings:
    values: dict[str, object] = {
        "environment": "test",
        "database_url": database_url,
        "kafka_bootstrap_servers": infra.kafka_bootstrap,
        "kafka_profile": infra.kafka_profile,
        "kafka_topic_prefix": f"t{uuid.uuid4().hex[:8]}.",
        "outbox_poll_interval_s": 0.2,
        "consumer_max_attempts": 3,
        "consumer_backoff_initial_s": 0.01,
        "consumer_backoff_max_s": 0.05,
    }
    return HarnessSettings(**(values | overrides))  # type: ignore[arg-type]


async def record_effect(
    conn: asyncpg.Connection, envelope: Envelope, event: ScreenPositive
) -> None:
    if event.patient_ref == POISON:
        raise RuntimeError("this handler always fails for the poison pill")
    await conn.execute(
        "INSERT INTO effects (event_id, screening_id, patient_ref) VALUES ($1, $2, $3)",
        envelope.event_id,
        event.screening_id,
        event.patient_ref,
    )


EFFECTS = Subscription("harness.effects", {"ScreenPositive": record_effect})


def screen(patient_ref: str = "p-1", screening_id: uuid.UUID | None = None) -> ScreenPositive:
    return ScreenPositive(
        screening_id=screening_id or new_event_id(),
        site_id="riverside-ob",
        patient_ref=patient_ref,
        instrument="EPDS",
        total=14,
        band="probable_depression",
        urgent=False,
        setting="ob",
        screened_at=datetime.now(UTC),
    )


@asynccontextmanager
async def running(
    settings: HarnessSettings,
    *,
    consume: bool = True,
    subscriptions: list[Subscription] | None = None,
) -> AsyncIterator[Runtime]:
    """The harness service, consuming with EFFECTS unless other `subscriptions` are given."""
    spec = ServiceSpec(
        settings=settings,
        migrations=HARNESS_MIGRATIONS,
        subscriptions=subscriptions if subscriptions is not None else [EFFECTS] if consume else [],
    )
    runtime = await start_runtime(spec)
    try:
        yield runtime
    finally:
        await runtime.stop()


async def emit(runtime: Runtime, *events: ScreenPositive) -> list[Envelope]:
    async with runtime.pool.acquire() as conn, conn.transaction():
        return [await publish_later(conn, e, producer="harness") for e in events]


async def effect_count(runtime: Runtime) -> int:
    return int(await runtime.pool.fetchval("SELECT count(*) FROM effects"))


async def relay_caught_up(rt: Runtime, what: str = "the relay's marks") -> None:
    """Wait until every outbox row is marked published: a consumer or reader can see an event
    before the relay commits its mark."""
    await eventually(
        lambda: rt.pool.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL"),
        until=lambda n: n == 0,
        what=what,
    )
