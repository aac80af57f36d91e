"""Capacity freshness for `GET /metrics`: how long ago each service's capacity was verified, and
how many are older than the directory's limit (`CAPACITY_MAX_AGE_HOURS`: matching then calls
them stale). Labels are the directory's own public ids (organization and service)."""

from __future__ import annotations

from datetime import timedelta

from warmlink.db import Connection
from warmlink.ops_metrics import Collector, Sample

CAPACITY_AGES = """
SELECT s.organization_id, c.service_id,
       greatest(extract(epoch FROM now() - c.verified_at), 0)::float8 AS age_s
FROM capacities c JOIN services s ON s.id = c.service_id
ORDER BY c.service_id"""


def capacity_freshness(max_age: timedelta) -> Collector:
    limit_s = max_age.total_seconds()

    async def capacity_metrics(conn: Connection) -> list[Sample]:
        rows = await conn.fetch(CAPACITY_AGES)
        samples = [
            Sample(
                "warmlink_directory_capacity_age_seconds",
                "Time since the service's capacity was last verified.",
                "gauge",
                {"organization_id": r["organization_id"], "service_id": r["service_id"]},
                r["age_s"],
            )
            for r in rows
        ]
        samples += [
            Sample(
                "warmlink_directory_capacity_stale",
                "Services whose capacity is older than CAPACITY_MAX_AGE_HOURS.",
                "gauge",
                {},
                sum(1 for r in rows if r["age_s"] > limit_s),
            ),
            Sample(
                "warmlink_directory_capacity_max_age_seconds",
                "The age past which capacity is stale (CAPACITY_MAX_AGE_HOURS).",
                "gauge",
                {},
                limit_s,
            ),
        ]
        return samples

    return capacity_metrics
