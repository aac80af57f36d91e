"""The IOP/PHP gate waits for the summary, the appointment and the provider's confirmation of it;
a moved discharge moves the gate. The follow-up service runs in-process on the real broker and
PostgreSQL; the tests tick its scheduler at chosen instants (never sleeping for a fixed time)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from contracts import (
    AppointmentScheduled,
    DischargeSummaryDelivered,
    OutpatientAppointmentConfirmed,
    PlannedDischargeMoved,
    ReferralSubmitted,
    new_event_id,
)
from tests.integration.followup_clocks_support import (
    TravelClock,
    armed,
    followup,
    publish,
    scheduler,
    settings_for,
    submitted,
)
from tests.support.infra import Infrastructure
from tests.support.waiting import eventually
from warmlink.service import Runtime

CHICAGO = ZoneInfo("America/Chicago")
SUBMITTED_AT = datetime(2026, 11, 23, 15, 0, tzinfo=CHICAGO)
LAST_SESSION = SUBMITTED_AT + timedelta(days=4)


def iop() -> ReferralSubmitted:
    return submitted("lakeside", SUBMITTED_AT, setting="iop_php", needed_by=LAST_SESSION)


def ids(event: ReferralSubmitted) -> dict[str, Any]:
    return {
        "referral_id": event.referral_id,
        "site_id": event.site_id,
        "practice_id": event.practice_id,
    }


async def track_says(rt: Runtime, referral_id: UUID, column: str, value: object) -> None:
    await eventually(
        lambda: rt.pool.fetchval(
            f"SELECT {column} FROM referral_tracks WHERE referral_id = $1", referral_id
        ),
        until=lambda found: found == value,
        what=f"the track's {column} = {value}",
    )


async def book(rt: Runtime, event: ReferralSubmitted) -> None:
    await publish(
        rt,
        AppointmentScheduled(
            **ids(event),
            appointment_id=new_event_id(),
            appointment_at=LAST_SESSION - timedelta(days=1),
            modality="in_person",
            level_of_care="outpatient_therapy",
            scheduled_at=SUBMITTED_AT + timedelta(hours=1),
        ),
        "referral",
    )
    await track_says(rt, event.referral_id, "status", "scheduled")


async def gate_alert(rt: Runtime, referral_id: UUID) -> bytes | None:
    payload: bytes | None = await rt.pool.fetchval(
        "SELECT payload FROM outbox WHERE event_type = 'GateAlertRaised' AND key = $1",
        str(referral_id),
    )
    return payload


async def test_the_iop_gate_fires_until_summary_appointment_and_confirmation(
    infra: Infrastructure, database_url: str
) -> None:
    settings = settings_for(infra, database_url)
    async with followup(settings) as rt:
        bare, unconfirmed, ready = iop(), iop(), iop()
        for event in (bare, unconfirmed, ready):
            await publish(rt, event, "referral")
        alert_at = (await armed(rt.pool, bare.referral_id, 5))["gate_alert"]
        for event in (unconfirmed, ready):
            await book(rt, event)
            delivered = DischargeSummaryDelivered(**ids(event), delivered_at=SUBMITTED_AT)
            await publish(rt, delivered, "referral")
            await track_says(rt, event.referral_id, "discharge_summary_sent", True)
        confirmed = OutpatientAppointmentConfirmed(**ids(ready), confirmed_at=SUBMITTED_AT)
        await publish(rt, confirmed, "referral")
        await track_says(rt, ready.referral_id, "provider_confirmed", True)
        await armed(rt.pool, ready.referral_id, 5)

        await scheduler(rt, TravelClock(alert_at)).tick()
        bare_alert = await gate_alert(rt, bare.referral_id)
        assert bare_alert is not None
        assert b'"missing":["appointment","discharge_summary"]' in bare_alert
        # Booked and summarised, but the provider has not said she has it: still at risk.
        unconfirmed_alert = await gate_alert(rt, unconfirmed.referral_id)
        assert unconfirmed_alert is not None
        assert b'"missing":["appointment"]' in unconfirmed_alert
        assert await gate_alert(rt, ready.referral_id) is None

        await scheduler(rt, TravelClock(LAST_SESSION)).tick()
        breaches = await rt.pool.fetch(
            "SELECT referral_id FROM sla_breaches WHERE kind = $1",
            "iop_last_session_without_appointment",
        )
        assert {b["referral_id"] for b in breaches} == {bare.referral_id, unconfirmed.referral_id}


async def test_the_confirmation_settles_the_open_gate_task(
    infra: Infrastructure, database_url: str
) -> None:
    settings = settings_for(infra, database_url)
    async with followup(settings) as rt:
        event = iop()
        await publish(rt, event, "referral")
        alert_at = (await armed(rt.pool, event.referral_id, 5))["gate_alert"]
        await scheduler(rt, TravelClock(alert_at)).tick()
        assert await gate_alert(rt, event.referral_id) is not None

        await book(rt, event)
        await publish(
            rt, DischargeSummaryDelivered(**ids(event), delivered_at=alert_at), "referral"
        )
        await publish(
            rt, OutpatientAppointmentConfirmed(**ids(event), confirmed_at=alert_at), "referral"
        )
        await eventually(
            lambda: rt.pool.fetchval(
                "SELECT status FROM tasks WHERE referral_id = $1 AND kind = 'iop_gate'",
                event.referral_id,
            ),
            until=lambda status: status == "resolved",
            what="the IOP gate task resolved",
        )
        await scheduler(rt, TravelClock(LAST_SESSION)).tick()
        gate_breaches = await rt.pool.fetchval(
            "SELECT count(*) FROM sla_breaches WHERE referral_id = $1 AND kind = $2",
            event.referral_id,
            "iop_last_session_without_appointment",
        )
        assert gate_breaches == 0  # (the practice's late acknowledgement is its own breach)


async def test_a_moved_discharge_moves_the_gate(infra: Infrastructure, database_url: str) -> None:
    settings = settings_for(infra, database_url)
    discharge = SUBMITTED_AT + timedelta(days=1)
    later = discharge + timedelta(days=2)
    async with followup(settings) as rt:
        event = submitted("lakeside", SUBMITTED_AT, setting="hospital", needed_by=discharge)
        await publish(rt, event, "referral")
        first_alert = (await armed(rt.pool, event.referral_id, 5))["gate_alert"]
        moved = PlannedDischargeMoved(
            **ids(event),
            appointment_needed_by=later,
            previous_needed_by=discharge,
            moved_at=SUBMITTED_AT + timedelta(hours=1),
        )
        await publish(rt, moved, "referral")
        await armed(rt.pool, event.referral_id, 7)  # the gate's alert and deadline, again

        # The old discharge passes quietly: its clocks watch a time the referral no longer has.
        await scheduler(rt, TravelClock(discharge)).tick()
        assert first_alert < discharge
        assert await gate_alert(rt, event.referral_id) is None
        breaches = await rt.pool.fetch(
            "SELECT kind FROM sla_breaches WHERE referral_id = $1", event.referral_id
        )
        assert "discharge_without_appointment" not in {b["kind"] for b in breaches}

        new_alert = later - timedelta(hours=settings.hospital_alert_lead_hours)
        await scheduler(rt, TravelClock(new_alert)).tick()
        payload = await gate_alert(rt, event.referral_id)
        assert payload is not None
        assert b'"gate":"hospital_discharge"' in payload
