"""The invariant's queries on the real database, fed by the real broker: a referral still open
whose clocks were all stopped is reported, and once it is cancelled (a terminal reason) the
network reports zero again.

The follow-up service runs in-process; the referral's events go through an outbox, the relay and
the broker into its consumer. The rows are read the way `GET /v1/invariant` reads them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import asyncpg

from contracts import ReferralCancelled
from contracts.codes import CancelReason
from services.followup.clocks.adapters import invariant as rows
from services.followup.clocks.domain.invariant import Breach, Violation, violations
from tests.integration.followup_clocks_support import (
    armed,
    followup,
    publish,
    settings_for,
    submitted,
)
from tests.support.infra import Infrastructure
from tests.support.waiting import eventually


async def check(pool: asyncpg.Pool) -> list[Violation]:
    async with pool.acquire() as conn:
        return violations(await rows.referrals(conn), await rows.screens(conn), datetime.now(UTC))


async def test_an_open_referral_whose_clocks_all_stopped_is_reported_until_it_ends(
    infra: Infrastructure, database_url: str
) -> None:
    async with followup(settings_for(infra, database_url)) as rt:
        event = submitted("invariant-practice", datetime.now(UTC))
        await publish(rt, event, "referral")
        await armed(rt.pool, event.referral_id, 3)
        assert await check(rt.pool) == []  # watched by its clocks

        # The fault: every clock stopped while the referral is still open, and no task.
        await rt.pool.execute(
            "UPDATE clocks SET fired_at = now(), note = 'lost' WHERE referral_id = $1",
            event.referral_id,
        )
        [found] = await check(rt.pool)
        assert (found.subject, UUID(found.id), found.breach, found.status) == (
            "referral",
            event.referral_id,
            Breach.REFERRAL_UNWATCHED,
            "submitted",
        )
        assert found.site_id == event.site_id

        cancelled = ReferralCancelled(
            referral_id=event.referral_id,
            site_id=event.site_id,
            practice_id=event.practice_id,
            reason=CancelReason.NO_LONGER_NEEDED,
            cancelled_at=datetime.now(UTC),
        )
        await publish(rt, cancelled, "referral")
        await eventually(lambda: check(rt.pool), until=lambda v: v == [], what="zero violations")
