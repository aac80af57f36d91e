"""Requests refused for their token (401) or their role (403) leave an audit row.

A refusal is noted in memory (`RefusalAudit.note`, no I/O) and written later, in batches of one
statement, by a background task on the background pool: the request path never waits for a
database connection, so a flood of forged tokens cannot stall a service through its audit (review
finding 1). The queue is bounded; what does not fit is dropped, counted
(`warmlink_audit_refusals_dropped_total`) and logged by the writer, never kept without limit.

A row names who was refused as far as it is known: nobody (`unknown`) for a token that did not
verify (its unverified claims are no evidence of anything), the token's subject, organization
and role for one that verified but lacked the role. Besides: a reason code, the route (its
template, never its ids), and the client's address. Never the token.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import astuple, dataclass, field

import asyncpg

from warmlink.db import DATABASE_ERRORS, outlast_outages

log = logging.getLogger(__name__)

QUEUE_CAPACITY = 10_000
BATCH_SIZE = 500
RETRY_PAUSE_S = 1.0
UNKNOWN = "unknown"

# One statement per batch: each column as an array, the rows zipped by unnest.
APPEND_REFUSALS = """
INSERT INTO audit_log (actor, organization_id, role, person_role, acting_client, reason,
                       record_id, client_address, action, purpose, record_type)
SELECT actor, organization_id, role, person_role, acting_client, reason, route, client_address,
       'refused', 'access_control', 'route'
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
            $8::text[])
    AS r(actor, organization_id, role, person_role, acting_client, reason, route, client_address)
"""


@dataclass(frozen=True)
class Refusal:
    actor: str
    organization_id: str
    role: str
    person_role: str | None
    acting_client: str | None
    reason: str
    route: str  # "GET /v1/referrals/{referral_id}"
    client_address: str | None


@dataclass
class RefusalAudit:
    capacity: int = QUEUE_CAPACITY
    written: int = 0
    dropped: int = 0
    _dropped_reported: int = 0
    _queue: asyncio.Queue[Refusal] = field(init=False)

    def __post_init__(self) -> None:
        self._queue = asyncio.Queue(self.capacity)

    def note(self, refusal: Refusal) -> None:
        """Keep it for the writer; drop it (counted) when the queue is full. Never waits."""
        try:
            self._queue.put_nowait(refusal)
        except asyncio.QueueFull:
            self.dropped += 1

    @property
    def waiting(self) -> int:
        return self._queue.qsize()

    async def run(self, pool: asyncpg.Pool) -> None:
        """Write what is noted, in batches, for as long as the service runs; a batch meeting a
        database outage is kept and written once it is over (the queue's bound holds)."""
        batch: list[Refusal] = []

        async def write_next() -> None:
            if not batch:
                batch.extend(self._take([await self._queue.get()]))
            self._report_drops()
            await _append(pool, batch)
            self.written += len(batch)
            batch.clear()

        await outlast_outages("refusal audit", write_next, RETRY_PAUSE_S)

    async def flush(self, pool: asyncpg.Pool) -> None:
        """At shutdown: write what is still waiting, once."""
        batch = self._take([])
        if batch:
            try:
                await _append(pool, batch)
                self.written += len(batch)
            except DATABASE_ERRORS as exc:
                log.warning(
                    "refusal audit rows lost at shutdown",
                    extra={"rows": len(batch), "error": type(exc).__name__},
                )

    def _take(self, batch: list[Refusal]) -> list[Refusal]:
        while len(batch) < BATCH_SIZE and not self._queue.empty():
            batch.append(self._queue.get_nowait())
        return batch

    def _report_drops(self) -> None:
        new = self.dropped - self._dropped_reported
        if new:
            self._dropped_reported = self.dropped
            log.warning(
                "refusal audit rows dropped: the queue was full",
                extra={"dropped": new, "dropped_total": self.dropped},
            )


async def _append(pool: asyncpg.Pool, batch: list[Refusal]) -> None:
    columns = list(zip(*(astuple(r) for r in batch), strict=True))
    async with pool.acquire() as conn:
        await conn.execute(APPEND_REFUSALS, *(list(c) for c in columns))
