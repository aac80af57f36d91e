"""The loop that makes the redirects the network makes by itself, once due.

Every `poll_s` it takes the due triggers (service_layer/commands/auto_redirect.py), asks the
directory for the next match as the network (its own client-credentials token), and works each in
its own transaction. A lost database pauses it (`outlast_outages`); a directory that does not
answer leaves the triggers pending for the next pass.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime

import asyncpg

from services.referral.adapters.directory_client import (
    DirectoryClient,
    DirectoryUnavailable,
    PracticeInfo,
)
from services.referral.adapters.directory_token import DirectoryToken
from services.referral.domain.auto_redirect import choose
from services.referral.service_layer.commands import auto_redirect
from services.referral.service_layer.commands.announce import StatusListener
from warmlink.db import DATABASE_ERRORS, outlast_outages

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class AutoRedirector:
    def __init__(
        self,
        pool: asyncpg.Pool,
        directory: DirectoryClient,
        token: DirectoryToken,
        within_days: Mapping[str, int],
        listeners: Sequence[StatusListener],
        poll_s: float,
        clock: Clock = utc_now,
    ) -> None:
        self._pool, self._directory, self._token = pool, directory, token
        self._within_days, self._listeners = within_days, listeners
        self._poll_s, self._clock = poll_s, clock

    async def run(self) -> None:
        await outlast_outages("automatic redirects", self._loop, self._poll_s)

    async def _loop(self) -> None:
        while True:
            while await self.run_due():
                pass
            await asyncio.sleep(self._poll_s)

    async def run_due(self) -> int:
        """Work the redirects due now; how many were settled (moved, held or dropped)."""
        now = self._clock()
        async with self._pool.acquire() as conn:
            due = await auto_redirect.due_redirects(conn, now)
        settled = 0
        for found in due:
            ids = {"referral_id": str(found.trigger.referral_id), "reason": found.trigger.reason}
            try:
                target = await self._next_match(found)
            except DirectoryUnavailable as exc:
                log.warning("automatic redirects wait for the directory", extra={"error": str(exc)})
                return settled
            try:
                async with self._pool.acquire() as conn, conn.transaction():
                    outcome = await auto_redirect.redirect_due(
                        conn, found.trigger.id, target, now, self._within_days, self._listeners
                    )
            except DATABASE_ERRORS:
                raise  # an outage: outlast_outages waits it out
            except Exception:
                # One referral that cannot be worked must not stop the others' redirects: it stays
                # pending (nothing was written) and is tried again at the next pass.
                log.exception("automatic redirect failed", extra=ids)
                continue
            log.info("automatic redirect %s", outcome, extra=ids)
            settled += outcome != "pending"
        return settled

    async def _next_match(self, found: auto_redirect.DueRedirect) -> PracticeInfo | None:
        """The best-ranked match it may move to that the directory still lists; None if none."""
        if found.query is None:
            return None
        token = await self._token.get()
        matches = (await self._directory.matches(token, found.query))["matches"]
        skip = set(found.excluded)
        while (match := choose(matches, frozenset(skip))) is not None:
            org, service = match["organization_id"], match["service_id"]
            info = await self._directory.practice(token, org, service)
            if info is not None and not info.suspended:
                return info
            skip.add(org)
        return None
