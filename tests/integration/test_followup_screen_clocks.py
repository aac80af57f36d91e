"""A positive screen's clocks in time travel: each level fires once, at its instant; a referral
stops them, even one read before the screen itself.

The follow-up service runs in-process on the real broker and PostgreSQL; the upstream events go
through an outbox, the relay and the broker into its consumer. Only the clock is the test's.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg

from contracts import ScreenPositive, new_event_id
from services.followup.clocks.adapters import invariant as invariant_rows
from tests.integration.followup_clocks_support import (
    TravelClock,
    followup,
    publish,
    scheduler,
    settings_for,
    submitted,
)
from tests.support.infra import Infrastructure
from tests.support.waiting import eventually

CHICAGO = ZoneInfo("America/Chicago")
TUESDAY_10 = datetime(2026, 11, 24, 10, 0, tzinfo=CHICAGO)
SECOND = timedelta(seconds=1)


def positive(urgent: bool, at: datetime = TUESDAY_10) -> ScreenPositive:
    return ScreenPositive(
        screening_id=new_event_id(),
        site_id="riverside-ob",
        patient_ref="pt-1",
        instrument="EPDS",
        total=15,
        band="probable_depression",
        urgent=urgent,
        setting="ob",
        screened_at=at,
    )


async def clocks(pool: asyncpg.Pool, sid: UUID, count: int = 2) -> list[asyncpg.Record]:
    return await eventually(
        lambda: pool.fetch(
            "SELECT kind, fire_at, fired_at, note FROM clocks WHERE screening_id = $1 "
            "ORDER BY fire_at",
            sid,
        ),
        until=lambda rows: len(rows) >= count,
        what=f"{count} screen clocks",
    )


async def escalations(pool: asyncpg.Pool, sid: UUID) -> int:
    return int(
        await pool.fetchval(
            "SELECT count(*) FROM outbox WHERE event_type = 'PositiveScreenEscalated' AND key = $1",
            str(sid),
        )
    )


async def test_an_urgent_screen_escalates_at_close_of_day_then_to_the_network_once(
    infra: Infrastructure, database_url: str
) -> None:
    settings = settings_for(infra, database_url)
    close = datetime(2026, 11, 24, 17, 0, tzinfo=CHICAGO)
    network_at = datetime(2026, 11, 25, 10, 0, tzinfo=CHICAGO)  # one open hour later
    async with followup(settings) as rt:
        screen = positive(urgent=True)
        await publish(rt, screen, "screening")
        armed = await clocks(rt.pool, screen.screening_id)
        assert [r["fire_at"] for r in armed] == [close, network_at]

        clock = TravelClock(close - SECOND)
        await scheduler(rt, clock).tick()
        assert await escalations(rt.pool, screen.screening_id) == 0
        clock.now = close
        await scheduler(rt, clock).tick()
        await scheduler(rt, clock).tick()
        assert await escalations(rt.pool, screen.screening_id) == 1
        clock.now = network_at
        await scheduler(rt, clock).tick()
        assert await escalations(rt.pool, screen.screening_id) == 2
        tasks = await rt.pool.fetch(
            "SELECT assignee, status, due_at FROM tasks WHERE screening_id = $1 ORDER BY opened_at",
            screen.screening_id,
        )
        assert [(t["assignee"], t["status"], t["due_at"]) for t in tasks] == [
            ("site_coordinator", "open", network_at),
            ("network_coordinator", "open", network_at),
        ]
        clock.now = network_at + timedelta(days=3)
        await scheduler(rt, clock).tick()
        assert await escalations(rt.pool, screen.screening_id) == 2


async def test_a_referral_stops_the_clocks_even_read_before_the_screen(
    infra: Infrastructure, database_url: str
) -> None:
    settings = settings_for(infra, database_url)
    async with followup(settings) as rt:
        referred_first = positive(urgent=True)
        referral = submitted("lakeside", TUESDAY_10).model_copy(
            update={"screening_id": referred_first.screening_id}
        )
        await publish(rt, referral, "referral")
        await eventually(
            lambda: rt.pool.fetchval(
                "SELECT status FROM screen_tracks WHERE screening_id = $1",
                referred_first.screening_id,
            ),
            until=lambda status: status == "referred",
            what="the referral read first",
        )
        await publish(rt, referred_first, "screening")

        referred_later = positive(urgent=False)
        await publish(rt, referred_later, "screening")
        await clocks(rt.pool, referred_later.screening_id)
        later = submitted("lakeside", TUESDAY_10 + timedelta(hours=1)).model_copy(
            update={"screening_id": referred_later.screening_id}
        )
        await publish(rt, later, "referral")
        stopped = await eventually(
            lambda: clocks(rt.pool, referred_later.screening_id),
            until=lambda rows: all(r["fired_at"] is not None for r in rows),
            what="the screen's clocks stopped",
        )
        assert {r["note"] for r in stopped} == {"stopped: screen referred"}

        await eventually(
            lambda: rt.pool.fetchval(
                "SELECT screened_at FROM screen_tracks WHERE screening_id = $1",
                referred_first.screening_id,
            ),
            what="the screen read after its referral",
        )
        assert await clocks(rt.pool, referred_first.screening_id, count=0) == []
        await scheduler(rt, TravelClock(TUESDAY_10 + timedelta(days=30))).tick()
        for screen in (referred_first, referred_later):
            assert await escalations(rt.pool, screen.screening_id) == 0


async def test_screens_taken_before_tracking_began_arm_nothing_and_break_no_invariant(
    infra: Infrastructure, database_url: str
) -> None:
    """An upgrade: the clocks' consumer reads the screening history from its start. Screens taken
    before FOLLOWUP_SCREEN_CLOCKS_FROM are accounted as such; later ones are watched as ever."""
    settings = settings_for(infra, database_url).model_copy(
        update={"screen_clocks_from": TUESDAY_10}
    )
    async with followup(settings) as rt:
        old = positive(urgent=True, at=TUESDAY_10 - timedelta(days=40))
        new = positive(urgent=False, at=TUESDAY_10)
        await publish(rt, old, "screening")
        await publish(rt, new, "screening")
        await clocks(rt.pool, new.screening_id)
        status = await eventually(
            lambda: rt.pool.fetchval(
                "SELECT status FROM screen_tracks WHERE screening_id = $1", old.screening_id
            ),
            what="the old screen's track",
        )
        assert status == "before_tracking"
        assert await clocks(rt.pool, old.screening_id, count=0) == []
        async with rt.pool.acquire() as conn:
            listed = {s.screening_id for s in await invariant_rows.screens(conn)}
        assert str(new.screening_id) in listed  # open, as every tracked screen is
        assert str(old.screening_id) not in listed
        await scheduler(rt, TravelClock(TUESDAY_10 + timedelta(days=30))).tick()
        assert await escalations(rt.pool, old.screening_id) == 0
        assert await escalations(rt.pool, new.screening_id) == 2
