"""Keeps the in-memory match search (``domain.match_search``) in step with PostgreSQL.

PostgreSQL stays the only source of truth: the index is loaded from it at start, reloads exactly
what changed when the database notifies (`directory_changed`, sent on commit by triggers), and
reloads everything every few minutes in case a notification was lost. It listens before it
first loads, so a change committed during the load is applied after it; a lost listening
connection is replaced at once and followed by a full reload. The loop that follows the
changes is ``workers/match_index``.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any

import asyncpg

from services.directory.adapters.listings import location_from, observed_from, service_from
from services.directory.domain.match_search import ServiceIndex
from services.directory.domain.matching import Candidate, MatchRequest, MatchResult
from services.directory.domain.model import Organization, OrgKind, OrgStatus, PracticeType
from warmlink.db import DATABASE_ERRORS
from warmlink.waits import woken

log = logging.getLogger(__name__)

FULL_RELOAD_S = 300.0
BATCH_WINDOW_S = 0.2  # changes are applied in batches: a burst of commits costs one query
RETRY_DELAY_S = 1.0
CHANNEL = "directory_changed"
EVERYTHING = "all:"
YIELD_EVERY = 200

SERVICES = """
SELECT s.*, c.available, c.maximum, c.next_available_intake, c.accepting_new_patients,
       c.waitlist_length, c.verified_at, c.verified_by,
       o.name AS org_name, o.status AS org_status, o.practice_type, po.observed
FROM services s
JOIN organizations o ON o.id = s.organization_id AND o.kind = 'practice'
LEFT JOIN capacities c ON c.service_id = s.id
LEFT JOIN practice_observed po ON po.practice_id = s.organization_id
WHERE $1::text[] IS NULL OR s.id = ANY ($1) OR s.organization_id = ANY ($2)"""
LOCATIONS = "SELECT * FROM locations WHERE organization_id = ANY ($1::text[])"


class MatchIndex:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self._index = ServiceIndex()
        self._pending: set[str] = set()
        self._wake = asyncio.Event()
        self._listener: Any = None  # the pool connection LISTENing
        self._lost = False  # its session ended; asyncpg has given it back to the pool itself

    def __len__(self) -> int:
        return len(self._index)

    def match(self, request: MatchRequest, now: datetime, max_age: timedelta) -> MatchResult:
        return self._index.match(request, now, max_age)

    # -- loading -------------------------------------------------------------------------------

    async def reload(
        self, services: list[str] | None = None, orgs: list[str] | None = None
    ) -> None:
        """Reload the given services and organizations (everything when both are None)."""
        everything = services is None and orgs is None
        async with self._pool.acquire() as conn:
            rows = await conn.fetch(SERVICES, None if everything else services or [], orgs or [])
            org_ids = sorted({r["organization_id"] for r in rows})
            locations = await conn.fetch(LOCATIONS, org_ids)
        if everything:
            await self._replace_all(rows, locations)
            return
        gone = set(services or ())  # a service may have moved or lost its organization
        for org in orgs or ():
            gone |= self._index.services_of(org)
        for sid in gone:
            self._index.remove(sid)
        for candidate in _assemble(rows, locations):
            self._index.put(candidate)

    async def _replace_all(
        self, rows: list[asyncpg.Record], locations: list[asyncpg.Record]
    ) -> None:
        """Build a new index beside the one in use, yielding to requests as it goes (10,000
        services take about a second of CPU), then swap it in."""
        fresh = ServiceIndex()
        for i, candidate in enumerate(_assemble(rows, locations)):
            fresh.put(candidate)
            if i % YIELD_EVERY == YIELD_EVERY - 1:
                await asyncio.sleep(0)
        self._index = fresh
        # The index is most of this process's objects and lives for minutes: keep it out of
        # the cyclic collector's full passes (~100 ms each at 10,000 services, a stall every
        # few seconds under load). Reference counting still frees what a later reload drops.
        gc.freeze()

    # -- following changes -----------------------------------------------------------------------

    def _notified(self, _conn: object, _pid: int, _channel: str, payload: object) -> None:
        self._pending.add(str(payload))
        self._wake.set()

    def _listener_lost(self, _conn: object) -> None:
        # Whatever changed while nobody listened is unknown: everything is read again.
        self._lost = True
        self._pending.add(EVERYTHING)
        self._wake.set()

    async def listen(self) -> None:
        """Hear changes from now on. Called before the first load: a change committed while it
        runs is then applied after it, where listening afterwards would miss it until the next
        full reload, minutes later."""
        conn = await self._pool.acquire()
        try:
            await conn.add_listener(CHANNEL, self._notified)
        except BaseException:
            await self._pool.release(conn)
            raise
        conn.add_termination_listener(self._listener_lost)
        self._listener, self._lost = conn, False

    @contextlib.asynccontextmanager
    async def following(self) -> AsyncIterator[None]:
        """While the block runs the index follows changes; afterwards it stops listening."""
        if self._listener is None:  # not listening yet: listen, then read everything
            self._pending.add(EVERYTHING)
            self._wake.set()
        try:
            yield
        finally:
            await self._stop_listening()

    async def next_changes(self) -> set[str] | None:
        """Wait for notifications (or the full-reload period), let a burst of commits
        accumulate, and take what is pending; None while listening cannot be restored (still
        woken, so the next call tries again after RETRY_DELAY_S)."""
        await woken(self._wake, FULL_RELOAD_S)
        await asyncio.sleep(BATCH_WINDOW_S)
        if not await self._listening():
            return None
        self._wake.clear()
        pending, self._pending = self._pending, set()
        return pending

    async def apply(self, pending: set[str]) -> None:
        """Reload what `pending` names; on a database error, keep it for the next round."""
        try:
            await self._apply(pending)
        except DATABASE_ERRORS as exc:
            log.warning("match index reload failed", extra={"error": repr(exc)})
            self._pending |= pending or {EVERYTHING}
            await asyncio.sleep(RETRY_DELAY_S)

    async def _stop_listening(self) -> None:
        conn, self._listener = self._listener, None
        if conn is None or self._lost:
            return
        conn.remove_termination_listener(self._listener_lost)
        with contextlib.suppress(*DATABASE_ERRORS):
            await conn.remove_listener(CHANNEL, self._notified)
        await self._pool.release(conn)

    async def _listening(self) -> bool:
        """Listen again, before reading, if the listening connection is gone."""
        if self._listener is not None and not self._lost:
            return True
        await self._stop_listening()
        try:
            await self.listen()
        except DATABASE_ERRORS as exc:
            log.warning("match index cannot listen for changes", extra={"error": repr(exc)})
            await asyncio.sleep(RETRY_DELAY_S)
            return False
        return True

    async def _apply(self, pending: set[str]) -> None:
        if not pending or len(pending) > 500 or EVERYTHING in pending:
            await self.reload()
            return
        services = [p.split(":", 1)[1] for p in pending if p.startswith("service:")]
        orgs = [p.split(":", 1)[1] for p in pending if p.startswith("org:")]
        await self.reload(services, orgs)


def _assemble(
    rows: Iterable[asyncpg.Record], locations: Iterable[asyncpg.Record]
) -> Iterator[Candidate]:
    places: dict[str, list[Any]] = {}
    for r in locations:
        places.setdefault(r["organization_id"], []).append(location_from(r))
    for r in rows:
        service = service_from(r)
        org = Organization(
            id=r["organization_id"],
            name=r["org_name"],
            kind=OrgKind.PRACTICE,
            status=OrgStatus(r["org_status"]),
            practice_type=PracticeType(r["practice_type"]) if r["practice_type"] else None,
            locations=tuple(places.get(r["organization_id"], ())),
            services=(service,),
        )
        yield Candidate(org, service, observed_from(r["observed"]))
