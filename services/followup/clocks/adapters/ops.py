"""The clocks' operations metrics for `GET /metrics`: breaches, open tasks, pending clocks."""

from __future__ import annotations

from warmlink.db import Connection
from warmlink.ops_metrics import Sample

BREACHES_BY_KIND = "SELECT kind, count(*) AS n FROM sla_breaches GROUP BY kind"
BREACHES_TODAY = """
SELECT count(*) FROM sla_breaches WHERE detected_at >= date_trunc('day', now())"""
OPEN_TASKS = """
SELECT kind, count(*) AS n, count(*) FILTER (WHERE due_at < now()) AS overdue
FROM tasks WHERE status = 'open' GROUP BY kind"""
# How late the scheduler is: a growing value means clocks are not being fired.
OLDEST_DUE_CLOCK = """
SELECT coalesce(extract(epoch FROM now() - min(fire_at)), 0)
FROM clocks WHERE fired_at IS NULL AND fire_at <= now()"""


async def clock_metrics(conn: Connection) -> list[Sample]:
    samples = [
        Sample(
            "warmlink_followup_sla_breaches",
            "SLA breaches recorded, by kind.",
            "counter",
            {"kind": r["kind"]},
            float(r["n"]),
        )
        for r in await conn.fetch(BREACHES_BY_KIND)
    ]
    samples.append(
        Sample(
            "warmlink_followup_sla_breaches_today",
            "SLA breaches detected since midnight (database time zone).",
            "gauge",
            {},
            float(await conn.fetchval(BREACHES_TODAY)),
        )
    )
    for r in await conn.fetch(OPEN_TASKS):
        labels = {"kind": r["kind"]}
        samples.append(
            Sample(
                "warmlink_followup_open_tasks", "Open coordinator tasks.", "gauge", labels, r["n"]
            )
        )
        samples.append(
            Sample(
                "warmlink_followup_overdue_tasks",
                "Open coordinator tasks past their due time.",
                "gauge",
                labels,
                float(r["overdue"]),
            )
        )
    samples.append(
        Sample(
            "warmlink_followup_clock_delay_seconds",
            "Age of the oldest clock that is due but not fired (0: none waiting).",
            "gauge",
            {},
            float(await conn.fetchval(OLDEST_DUE_CLOCK)),
        )
    )
    return samples
