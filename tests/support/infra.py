"""Where the tests' broker and database come from.

1. External, when WARMLINK_TEST_KAFKA and WARMLINK_TEST_POSTGRES name them (CI against real
   Apache Kafka / managed PostgreSQL). WARMLINK_TEST_KAFKA_PROFILE=kafka for Apache Kafka.
2. testcontainers (Apache Kafka and PostgreSQL images) when a Docker engine answers.
3. Otherwise the embedded broker (Tansu) and embedded PostgreSQL: the default on these machines.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from tools.dev.broker import EmbeddedBroker
from tools.dev.postgres import EmbeddedPostgres
from tools.dev.processes import free_port


@dataclass
class Infrastructure:
    kafka_bootstrap: str
    admin_url: str  # a PostgreSQL URL whose role may CREATE DATABASE
    kafka_profile: str
    kind: str
    broker: EmbeddedBroker | None = None

    def database_url(self, name: str) -> str:
        base, _, _ = self.admin_url.rpartition("/")
        return f"{base}/{name}"

    def create_database(self, prefix: str = "t") -> str:
        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        asyncio.run(_create_db(self.admin_url, name))
        return self.database_url(name)


async def _create_db(admin_url: str, name: str) -> None:
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


def _docker_reachable() -> bool:
    if os.environ.get("WARMLINK_TEST_CONTAINERS", "auto") == "off":
        return False
    try:
        import docker

        docker.from_env(timeout=2).ping()
    except Exception:
        return False
    return True


@contextlib.contextmanager
def _embedded() -> Iterator[Infrastructure]:
    root = Path(tempfile.mkdtemp(prefix="warmlink-test-"))
    pg = EmbeddedPostgres(root / "pg", free_port(), root / "pg.log", fsync=False)
    broker = EmbeddedBroker(free_port(), root / "broker.log")
    pg.start()
    broker.start()
    try:
        yield Infrastructure(broker.bootstrap_servers, pg.url(), "tansu", "embedded", broker)
    finally:
        broker.stop()
        pg.stop()
        # A run's database and WAL came to about 850 MB, and every run left its own behind
        # (80 GB of /tmp here before this). WARMLINK_KEEP_TEST_STATE=1 keeps them to look into.
        if not os.environ.get("WARMLINK_KEEP_TEST_STATE"):
            shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def _containers() -> Iterator[Infrastructure]:
    from testcontainers.kafka import KafkaContainer
    from testcontainers.postgres import PostgresContainer

    with PostgresContainer("postgres:16") as pg, KafkaContainer().with_kraft() as kafka:
        url = pg.get_connection_url(driver=None).replace("postgresql+psycopg2", "postgresql")
        yield Infrastructure(kafka.get_bootstrap_server(), url, "kafka", "containers")


@contextlib.contextmanager
def provide_infra() -> Iterator[Infrastructure]:
    kafka, postgres = (
        os.environ.get("WARMLINK_TEST_KAFKA"),
        os.environ.get("WARMLINK_TEST_POSTGRES"),
    )
    if kafka and postgres:
        profile = os.environ.get("WARMLINK_TEST_KAFKA_PROFILE", "kafka")
        yield Infrastructure(kafka, postgres, profile, "external")
    elif _docker_reachable():
        with _containers() as infra:
            yield infra
    else:
        with _embedded() as infra:
            yield infra
