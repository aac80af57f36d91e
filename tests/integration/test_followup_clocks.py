"""Time travel: each clock fires once, at the right instant, not again on redelivery or restart.

The follow-up service runs in-process on the real broker and PostgreSQL; upstream events go
through an outbox, the relay and the broker into its consumer, exactly as in production. Only the
clock is the test's: the scheduler is ticked at chosen instants.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from contracts import AppointmentScheduled, ReferralSubmitted, new_event_id
from contracts.events.directory import IntakeWindow
from tests.e2e.directory_support import acknowledged
from tests.integration.followup_clocks_support import (
    TravelClock,
    armed,
    events_of,
    followup,
    practice,
    publish,
    scheduler,
    settings_for,
    submitted,
)
from tests.integration.harness import relay_caught_up
from tests.support.infra import Infrastructure
from tests.support.waiting import cancelled, eventually, said_or_ended
from warmlink.outbox import mark_for_republish
from warmlink.service import Runtime

CHICAGO = ZoneInfo("America/Chicago")
WEEKDAYS_9_TO_5 = tuple(IntakeWindow(weekday=d, opens="09:00", closes="17:00") for d in range(5))
SECOND = timedelta(seconds=1)


async def _calendar_known(runtime: object, practice_id: str) -> None:
    pool = runtime.pool  # type: ignore[attr-defined]
    await eventually(
        lambda: pool.fetchval(
            "SELECT count(*) FROM practice_calendars WHERE practice_id = $1", practice_id
        ),
        until=lambda n: n == 1,
        what="practice calendar",
    )


async def test_friday_evening_before_a_holiday_fires_once_wednesday_morning(
    infra: Infrastructure, database_url: str
) -> None:
    settings = settings_for(infra, database_url)
    friday_evening = datetime(2026, 9, 4, 18, 30, tzinfo=CHICAGO)  # Monday 7 Sep: Labor Day
    expected_due = datetime(2026, 9, 9, 9, 0, tzinfo=CHICAGO)
    async with followup(settings) as rt:
        await publish(rt, practice("lakeside", "America/Chicago", WEEKDAYS_9_TO_5), "directory")
        await _calendar_known(rt, "lakeside")
        event = submitted("lakeside", friday_evening)
        await publish(rt, event, "referral")
        clocks = await armed(rt.pool, event.referral_id, 3)
        assert clocks["ack_due"] == expected_due

        clock = TravelClock(expected_due - SECOND)
        await scheduler(rt, clock).tick()
        assert await events_of(rt.pool, "SlaBreached", event.referral_id) == 0

        clock.now = expected_due
        await scheduler(rt, clock).tick()
        assert await events_of(rt.pool, "SlaBreached", event.referral_id) == 1
        tasks = await rt.pool.fetch(
            "SELECT kind, due_at FROM tasks WHERE referral_id = $1", event.referral_id
        )
        assert [(t["kind"], t["due_at"]) for t in tasks] == [("ack_overdue", expected_due)]

        clock.now = expected_due + timedelta(hours=1)
        await scheduler(rt, clock).tick()
        assert await events_of(rt.pool, "SlaBreached", event.referral_id) == 1

        # Redelivery: every upstream event goes through the broker again.
        await relay_caught_up(rt)
        async with rt.pool.acquire() as conn:
            assert await mark_for_republish(conn, datetime(2000, 1, 1, tzinfo=UTC)) >= 2
        await relay_caught_up(rt, "the republished events")
        clocks_consumer = next(c for c in rt.consumers if c.name == "followup.clocks")

        async def duplicates() -> int:
            return clocks_consumer.stats.duplicates

        await eventually(
            duplicates, until=lambda n: n >= 2, what="redelivered events recognised as duplicates"
        )
        assert len(await armed(rt.pool, event.referral_id, 3)) == 3

    # Restart: a new process, a new scheduler, the same database.
    async with followup(settings) as rt:
        clock.now = expected_due + timedelta(days=2)
        await scheduler(rt, clock).tick()
        assert await events_of(rt.pool, "SlaBreached", event.referral_id) == 1
        assert await rt.pool.fetchval("SELECT count(*) FROM sla_breaches") == 1


async def test_hospital_gate_alerts_before_discharge_and_breaches_at_it(
    infra: Infrastructure, database_url: str
) -> None:
    settings = settings_for(infra, database_url)
    submitted_at = datetime(2026, 11, 24, 10, 0, tzinfo=CHICAGO)
    discharge = submitted_at + timedelta(hours=30)
    alert_at = discharge - timedelta(hours=settings.hospital_alert_lead_hours)
    async with followup(settings) as rt:
        unbooked = submitted("lakeside", submitted_at, setting="hospital", needed_by=discharge)
        booked = submitted("lakeside", submitted_at, setting="hospital", needed_by=discharge)
        await publish(rt, unbooked, "referral")
        await publish(rt, booked, "referral")
        await publish(
            rt,
            AppointmentScheduled(
                referral_id=booked.referral_id,
                site_id=booked.site_id,
                practice_id=booked.practice_id,
                appointment_id=new_event_id(),
                appointment_at=discharge + timedelta(days=3),
                modality="in_person",
                level_of_care="outpatient_therapy",
                scheduled_at=submitted_at + timedelta(hours=2),
            ),
            "referral",
        )
        assert (await armed(rt.pool, unbooked.referral_id, 5))["gate_alert"] == alert_at
        await armed(rt.pool, booked.referral_id, 5)
        await eventually(
            lambda: rt.pool.fetchval(
                "SELECT status FROM referral_tracks WHERE referral_id = $1", booked.referral_id
            ),
            until=lambda s: s == "scheduled",
            what="the appointment seen by the clocks",
        )

        clock = TravelClock(alert_at - SECOND)
        await scheduler(rt, clock).tick()
        assert await events_of(rt.pool, "GateAlertRaised", unbooked.referral_id) == 0

        clock.now = alert_at
        await scheduler(rt, clock).tick()
        assert await events_of(rt.pool, "GateAlertRaised", unbooked.referral_id) == 1
        assert await events_of(rt.pool, "GateAlertRaised", booked.referral_id) == 0
        task = await rt.pool.fetchrow(
            "SELECT kind, due_at, opened_at FROM tasks WHERE referral_id = $1 AND kind <> $2",
            unbooked.referral_id,
            "ack_overdue",  # the practice also missed its acknowledgement a day in
        )
        assert (task["kind"], task["due_at"]) == ("discharge_gate", discharge)
        assert task["opened_at"] < discharge  # raised before the patient leaves

        clock.now = discharge
        await scheduler(rt, clock).tick()
        breaches = await rt.pool.fetch("SELECT referral_id, kind FROM sla_breaches ORDER BY due_at")
        assert [(b["referral_id"], b["kind"]) for b in breaches] == [
            (unbooked.referral_id, "ack_overdue"),
            (unbooked.referral_id, "discharge_without_appointment"),
        ]


async def test_iop_gate_names_a_missing_appointment_before_the_last_session(
    infra: Infrastructure, database_url: str
) -> None:
    settings = settings_for(infra, database_url)
    submitted_at = datetime(2026, 11, 23, 15, 0, tzinfo=CHICAGO)
    last_session = submitted_at + timedelta(days=4)
    async with followup(settings) as rt:
        event = submitted("lakeside", submitted_at, setting="iop_php", needed_by=last_session)
        event = event.model_copy(update={"discharge_summary_sent": True})
        await publish(rt, event, "referral")
        alert_at = (await armed(rt.pool, event.referral_id, 5))["gate_alert"]
        assert alert_at == last_session - timedelta(hours=settings.iop_alert_lead_hours)

        await scheduler(rt, TravelClock(alert_at)).tick()
        row = await rt.pool.fetchrow(
            "SELECT payload FROM outbox WHERE event_type = 'GateAlertRaised' AND key = $1",
            str(event.referral_id),
        )
        assert b'"missing":["appointment"]' in row["payload"]
        assert b'"gate":"iop_last_session"' in row["payload"]


async def test_deadlines_follow_the_practice_zone_and_intake_hours_across_dst(
    infra: Infrastructure, database_url: str
) -> None:
    settings = settings_for(infra, database_url)
    tue_thu = (
        IntakeWindow(weekday=1, opens="13:00", closes="17:00"),
        IntakeWindow(weekday=3, opens="13:00", closes="17:00"),
    )
    async with followup(settings) as rt:
        await publish(rt, practice("east", "America/New_York", WEEKDAYS_9_TO_5), "directory")
        await publish(rt, practice("afternoons", "America/Chicago", tue_thu), "directory")
        await _calendar_known(rt, "east")
        await _calendar_known(rt, "afternoons")
        # Fri 30 Oct 2026 16:00 EDT; clocks go back on Sunday: due Mon 2 Nov 16:00 EST.
        east = submitted("east", datetime(2026, 10, 30, 20, 0, tzinfo=UTC))
        # Thu 29 Oct 18:00 CDT, after hours: the line opens Tue 3 Nov 13:00 CST (Election Day is
        # a public holiday in Illinois, so the clock starts Thursday 5 Nov), due Tue 10 Nov.
        afternoons = submitted("afternoons", datetime(2026, 10, 29, 18, 0, tzinfo=CHICAGO))
        await publish(rt, east, "referral")
        await publish(rt, afternoons, "referral")
        assert (await armed(rt.pool, east.referral_id, 3))["ack_due"] == datetime(
            2026, 11, 2, 21, 0, tzinfo=UTC
        )
        assert (await armed(rt.pool, afternoons.referral_id, 3))["ack_due"] == datetime(
            2026, 11, 10, 13, 0, tzinfo=CHICAGO
        )


async def _submitted_and_armed(rt: Runtime) -> tuple[ReferralSubmitted, datetime]:
    """A referral submitted Tuesday morning, its clocks armed; returns it and its ack deadline."""
    event = submitted("lakeside", datetime(2026, 11, 24, 10, 0, tzinfo=CHICAGO))
    await publish(rt, event, "referral")
    return event, (await armed(rt.pool, event.referral_id, 3))["ack_due"]


async def test_a_clock_that_cannot_fire_is_retried_later_and_holds_back_no_other(
    infra: Infrastructure, database_url: str
) -> None:
    async with followup(settings_for(infra, database_url)) as rt:
        event, ack_due = await _submitted_and_armed(rt)
        # A row no rule knows (as after a bad deploy), due before the good one.
        await rt.pool.execute(
            "INSERT INTO clocks (id, referral_id, kind, practice_id, fire_at, due_at, armed_by) "
            "VALUES ($1, $2, 'unheard_of', 'lakeside', $3, $3, $1)",
            new_event_id(),
            event.referral_id,
            ack_due - timedelta(minutes=1),
        )
        await scheduler(rt, TravelClock(ack_due)).tick()
        assert await events_of(rt.pool, "SlaBreached", event.referral_id) == 1
        bad = await rt.pool.fetchrow(
            "SELECT fire_at, fired_at, note FROM clocks WHERE kind = 'unheard_of'"
        )
        assert bad["fired_at"] is None and bad["note"] == "failed: ValueError"
        assert bad["fire_at"] == ack_due + timedelta(minutes=5)


async def test_the_scheduler_waits_out_a_database_error_and_goes_on_firing(
    infra: Infrastructure, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A restart or failover makes queries fail for a while; the scheduler must outlive it."""
    async with followup(settings_for(infra, database_url)) as rt:
        event, ack_due = await _submitted_and_armed(rt)
        # Every query the scheduler makes now fails, with a real PostgreSQL error.
        await rt.pool.execute("ALTER TABLE clocks RENAME TO away")
        running = asyncio.create_task(scheduler(rt, TravelClock(ack_due)).run(interval_s=0.05))
        try:
            with caplog.at_level(logging.WARNING):
                await eventually(
                    lambda: said_or_ended(caplog, running, "waiting for the database"),
                    what="the scheduler meeting it",
                )
            await rt.pool.execute("ALTER TABLE away RENAME TO clocks")
            await eventually(
                lambda: events_of(rt.pool, "SlaBreached", event.referral_id),
                until=lambda n: n == 1,
                what="the breach once the database answers",
            )
            assert not running.done()
        finally:
            await cancelled(running)


async def test_an_urgent_referral_unacknowledged_for_two_business_hours_is_announced_once(
    infra: Infrastructure, database_url: str
) -> None:
    monday_ten = datetime(2026, 9, 14, 10, 0, tzinfo=CHICAGO)
    async with followup(settings_for(infra, database_url)) as rt:
        await publish(rt, practice("lakeside", "America/Chicago", WEEKDAYS_9_TO_5), "directory")
        await _calendar_known(rt, "lakeside")
        waiting = submitted("lakeside", monday_ten, urgent=True)
        answered = submitted("lakeside", monday_ten, urgent=True)
        await publish(rt, waiting, "referral")
        await publish(rt, answered, "referral")
        alert_at = (await armed(rt.pool, waiting.referral_id, 4))["urgent_ack_alert"]
        assert alert_at == datetime(2026, 9, 14, 12, 0, tzinfo=CHICAGO)
        await armed(rt.pool, answered.referral_id, 4)
        await publish(rt, acknowledged(answered, hours_later=1), "referral")
        await eventually(
            lambda: rt.pool.fetchval(
                "SELECT status FROM referral_tracks WHERE referral_id = $1", answered.referral_id
            ),
            until=lambda s: s == "acknowledged",
            what="the acknowledgement applied",
        )
        clock = TravelClock(alert_at - SECOND)
        await scheduler(rt, clock).tick()
        early = "UrgentAcknowledgementOverdue"
        assert await events_of(rt.pool, early, waiting.referral_id) == 0
        clock.now = alert_at
        await scheduler(rt, clock).tick()
        await scheduler(rt, clock).tick()
        assert await events_of(rt.pool, early, waiting.referral_id) == 1
        assert await events_of(rt.pool, early, answered.referral_id) == 0
        assert await events_of(rt.pool, "SlaBreached", waiting.referral_id) == 0, "not yet due"
