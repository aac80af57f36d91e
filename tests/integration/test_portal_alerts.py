"""The portal's alerts in a real PostgreSQL and a real SMTP server, on an injected clock: an
event read twice alerts each person once; quiet hours hold a routine alert and not an urgent one;
the mail names the kind, the organization and a link, nothing of the patient; a relay that is
down delays alerts and the failure is recorded; and a sender SIGKILLed between handing an alert
over and recording it leaves every alert delivered once in the development mail sink."""

from __future__ import annotations

import asyncio
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg

from contracts import ReferralSubmitted, UrgentAcknowledgementOverdue, new_event_id
from contracts.envelope import payload_of, wrap
from services.portal.adapters import alert_choices
from services.portal.adapters import alerts as store
from services.portal.adapters.sms import SmsToMailSink
from services.portal.domain.alert_choices import Choices
from services.portal.domain.alerts import AlertKind, Channel
from services.portal.workers.alert_sender import AlertSender
from tests.integration.portal_alerts_support import (
    BASE_URL,
    PRACTICE,
    SITE,
    Clock,
    add_person,
    alert_events,
    referral_submitted,
    sender,
)
from tests.support.migrated import migrated_pool
from tests.support.smtp import smtp_server
from tests.support.waiting import eventually
from tools.dev.mail import MailSink, OncePerMessageId
from tools.dev.processes import free_port
from warmlink.crypto import Keyring, new_key
from warmlink.mail import SmtpSender
from warmlink.roles import PersonRole, Role

NIGHT = datetime(2026, 3, 10, 4, 0, tzinfo=UTC)  # 23:00 in Chicago
MORNING = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)  # 07:00 in Chicago
KEYRING = Keyring.single("k", new_key())


async def _quiet_nights(pool: asyncpg.Pool, *person_ids: Any) -> None:
    for person_id in person_ids:
        await pool.execute(
            "INSERT INTO alert_settings (person_id, quiet_from, quiet_until, time_zone) "
            "VALUES ($1, '21:00', '07:00', 'America/Chicago')",
            person_id,
        )


async def test_one_alert_per_person_and_event_held_through_quiet_hours_unless_urgent(
    database_url: str,
) -> None:
    pool = await migrated_pool(database_url, "portal")
    clock = Clock(NIGHT)
    events = alert_events(clock)
    intake = await add_person(pool, KEYRING, PRACTICE, PersonRole.INTAKE_COORDINATOR, Role.PRACTICE)
    other = await add_person(pool, KEYRING, PRACTICE, PersonRole.INTAKE_COORDINATOR, Role.PRACTICE)
    await add_person(pool, KEYRING, PRACTICE, PersonRole.CLINICIAN, Role.PRACTICE)
    await add_person(pool, KEYRING, "bloom-therapy", PersonRole.INTAKE_COORDINATOR, Role.PRACTICE)
    await _quiet_nights(pool, intake.id, other.id)
    await pool.execute(
        "INSERT INTO alert_choices VALUES ($1, 'new_referral', 'none')", other.id
    )  # she chose none

    routine = await referral_submitted(pool, events)
    async with pool.acquire() as conn, conn.transaction():  # the same event, read again
        payload = payload_of(routine)
        assert isinstance(payload, ReferralSubmitted)
        await events.on_referral_submitted(conn, routine, payload)
    urgent = await referral_submitted(pool, events, urgent=True)
    rows = await pool.fetch("SELECT * FROM alerts ORDER BY id")
    assert [(r["person_id"], r["event_id"], r["urgent"]) for r in rows] == [
        (intake.id, routine.event_id, False),
        (intake.id, urgent.event_id, True),
    ]
    assert rows[0]["due_at"] == MORNING, "routine: after her quiet hours"
    assert rows[1]["due_at"] == NIGHT, "urgent: at once"

    with smtp_server() as (inbox, port):
        alerts = sender(pool, port, clock)
        assert await alerts.send_due() == 1
        ((to, mail),) = inbox.messages
        assert to == [intake.email]
        assert mail["Subject"] == "Warmlink alert: Urgent: New referral from riverside-ob"
        text = mail.get_payload(decode=True).decode()
        referral_id = urgent.data["referral_id"]
        assert f"http://portal.test/inbox/{referral_id}" in text
        for phi in ("pt-1", "clinician-1"):
            assert phi not in text and phi not in mail["Subject"]
        clock.now = MORNING
        assert await alerts.send_due() == 1
        assert "New referral from riverside-ob" in inbox.messages[1][1]["Subject"]
    sent = await pool.fetch("SELECT status, attempts, sent_at FROM alerts ORDER BY id")
    assert [(r["status"], r["attempts"], r["sent_at"]) for r in sent] == [
        ("sent", 1, MORNING),
        ("sent", 1, NIGHT),
    ]


async def test_a_relay_that_is_down_delays_alerts_records_why_and_loses_none(
    database_url: str,
) -> None:
    pool = await migrated_pool(database_url, "portal")
    clock = Clock(MORNING)
    intake = await add_person(pool, KEYRING, PRACTICE, PersonRole.INTAKE_COORDINATOR, Role.PRACTICE)
    await referral_submitted(pool, alert_events(clock), urgent=True)
    port = free_port()
    alerts = sender(pool, port, clock)
    assert await alerts.send_due() == 1  # nothing listens on the port
    (row,) = await store.recent_of(pool, intake.id)  # type: ignore[arg-type]
    assert (row["status"], row["attempts"]) == ("pending", 1)
    assert row["last_error"].startswith("smtp: ") and intake.email not in row["last_error"]
    assert row["due_at"] == MORNING + timedelta(seconds=5)
    (failing,) = await store.failing(pool)  # type: ignore[arg-type]
    assert failing["person_email"] == intake.email and failing["status"] == "pending"
    assert await alerts.send_due() == 0, "not again before its back-off has passed"
    clock.now = MORNING + timedelta(seconds=5)
    with smtp_server(port) as (inbox, _):
        assert await alerts.send_due() == 1
        assert len(inbox.messages) == 1
    (row,) = await store.recent_of(pool, intake.id)  # type: ignore[arg-type]
    assert (row["status"], row["attempts"], row["last_error"]) == ("sent", 2, None)
    assert await store.failing(pool) == []  # type: ignore[arg-type]


class HoldsTheThird(OncePerMessageId):
    """Keeps the third message it is handed, then holds its reply until the test lets go: the
    sender that handed it over is killed before it hears the message was taken."""

    def __init__(self, maildir: Path) -> None:
        super().__init__(maildir)
        self.handed, self.third_in, self.release = 0, threading.Event(), threading.Event()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.handed += 1
        reply = await super().handle_DATA(server, session, envelope)
        if self.handed == 3:
            self.third_in.set()
            await asyncio.to_thread(self.release.wait, 30)
        return reply


class HoldingSink(MailSink):
    def handler_for(self, maildir: Path) -> OncePerMessageId:
        return HoldsTheThird(maildir)


async def test_an_alert_across_a_killed_sender_is_delivered_once(
    database_url: str, tmp_path: Path
) -> None:
    pool = await migrated_pool(database_url, "portal")
    clock = Clock(MORNING)
    events = alert_events(clock)
    intake = await add_person(pool, KEYRING, PRACTICE, PersonRole.INTAKE_COORDINATOR, Role.PRACTICE)
    for _ in range(5):
        await referral_submitted(pool, events, urgent=True)
    sink = HoldingSink(tmp_path / "mail", free_port())
    sink.start()
    try:
        held = sink.handler
        assert isinstance(held, HoldsTheThird)
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.integration.portal_alerts_support",
            database_url, str(sink.port), MORNING.isoformat(),
        )  # fmt: skip
        try:
            await eventually(lambda: _is_set(held), timeout=30, what="the third alert handed over")
            process.kill()  # SIGKILL: between handing the third over and recording it
            await asyncio.wait_for(process.wait(), 10)
        finally:
            held.release.set()
            if process.returncode is None:
                process.kill()
        statuses = await pool.fetch("SELECT status FROM alerts ORDER BY id")
        assert [r["status"] for r in statuses] == ["sent", "sent", "pending", "pending", "pending"]

        # Its transaction ended with its connection: the next sender finds the third pending.
        restarted = sender(pool, sink.port, clock)
        sent = await eventually(
            lambda: _send_and_count(restarted, pool), until=lambda n: n == 5, what="all five sent"
        )
        assert sent == 5
        assert held.handed == 6, "the third was handed over twice"
        assert held.duplicates == 1, "and the sink kept it once"
        kept = list((tmp_path / "mail" / "new").iterdir())
        assert len(kept) == 5, "each alert once in the mailbox"
        to_her = [p.read_text() for p in kept]
        assert all(f"To: {intake.email}" in m for m in to_her)
        ids = {line for m in to_her for line in m.splitlines() if line.startswith("Message-ID:")}
        assert len(ids) == 5
    finally:
        sink.stop()


async def _is_set(handler: HoldsTheThird) -> bool:
    return handler.third_in.is_set()


async def _send_and_count(alerts: Any, pool: asyncpg.Pool) -> int:
    await alerts.send_due()
    return int(await pool.fetchval("SELECT count(*) FROM alerts WHERE status = 'sent'"))


async def test_a_daily_digest_gathers_routine_alerts_into_one_mail_and_sms_fits_one_message(
    database_url: str,
) -> None:
    pool = await migrated_pool(database_url, "portal")
    noon = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)  # 12:00 in Chicago
    clock = Clock(noon)
    events = alert_events(clock)
    reader = await add_person(pool, KEYRING, PRACTICE, PersonRole.INTAKE_COORDINATOR, Role.PRACTICE)
    texter = await add_person(pool, KEYRING, PRACTICE, PersonRole.INTAKE_COORDINATOR, Role.PRACTICE)
    await pool.execute(
        "INSERT INTO alert_settings (person_id, time_zone, digest) VALUES ($1, $2, true)",
        reader.id,
        "America/Chicago",
    )
    await alert_choices.save(
        pool,  # type: ignore[arg-type]
        KEYRING,
        texter.id,
        Choices({AlertKind.NEW_REFERRAL: Channel.SMS}, None, None, "America/Chicago", False,
                "+13125550100"),
    )  # fmt: skip
    for urgent in (False, False, True):
        await referral_submitted(pool, events, urgent=urgent)
    with smtp_server() as (inbox, port):
        mail = SmtpSender("127.0.0.1", port, "alerts@warmlink.example", starttls=False)
        alerts = AlertSender(pool, KEYRING, mail, SmsToMailSink(mail), BASE_URL, clock, 1.0)
        assert await alerts.send_due() == 4, "her urgent alert, and his three texts"
        to_reader = [m for to, m in inbox.messages if to == [reader.email]]
        assert [m["Subject"] for m in to_reader] == [
            "Warmlink alert: Urgent: New referral from riverside-ob"
        ]
        texts = [
            m.get_payload(decode=True).decode() for to, m in inbox.messages if to != [reader.email]
        ]
        assert len(texts) == 3 and all(len(t.strip()) <= 160 for t in texts)
        assert all(t.startswith("Warmlink: ") and "/inbox/" in t for t in texts)
        clock.now = datetime(2026, 3, 11, 12, 0, tzinfo=UTC)  # 07:00 next morning, her digest
        assert await alerts.send_due() == 1, "one digest for her two routine alerts"
        (to, digest) = inbox.messages[-1]
        assert to == [reader.email]
        assert digest["Subject"] == "Warmlink alerts: your daily digest (2)"
        assert digest.get_payload(decode=True).decode().count("New referral from riverside-ob") == 2
    statuses = await pool.fetch("SELECT status FROM alerts WHERE person_id = $1", reader.id)
    assert [r["status"] for r in statuses] == ["sent"] * 3


async def test_an_alert_for_someone_disabled_since_is_not_sent_and_says_why(
    database_url: str,
) -> None:
    pool = await migrated_pool(database_url, "portal")
    clock = Clock(MORNING)
    leaving = await add_person(
        pool, KEYRING, PRACTICE, PersonRole.INTAKE_COORDINATOR, Role.PRACTICE
    )
    await referral_submitted(pool, alert_events(clock), urgent=True)
    await pool.execute("UPDATE people SET disabled_at = $2 WHERE id = $1", leaving.id, MORNING)
    with smtp_server() as (inbox, port):
        assert await sender(pool, port, clock).send_due() == 1
        assert inbox.messages == []
    (row,) = await pool.fetch("SELECT status, last_error, sent_at FROM alerts")
    assert (row["status"], row["last_error"], row["sent_at"]) == (
        "dropped", "her account is disabled", None,
    )  # fmt: skip


async def test_an_urgent_referral_unacknowledged_alerts_the_practice_and_the_sites_coordinator(
    database_url: str,
) -> None:
    pool = await migrated_pool(database_url, "portal")
    clock = Clock(MORNING)
    intake = await add_person(pool, KEYRING, PRACTICE, PersonRole.INTAKE_COORDINATOR, Role.PRACTICE)
    coordinator = await add_person(pool, KEYRING, SITE, PersonRole.SITE_COORDINATOR, Role.CLINIC)
    await add_person(pool, KEYRING, SITE, PersonRole.CLINICIAN, Role.CLINIC)
    await _quiet_nights(pool, intake.id, coordinator.id)
    clock.now = NIGHT  # urgent: her quiet hours do not hold it
    payload = UrgentAcknowledgementOverdue(
        referral_id=new_event_id(), site_id=SITE, practice_id=PRACTICE, alert_at=NIGHT,
        detected_at=NIGHT,
    )  # fmt: skip
    envelope = wrap(payload, producer="followup")
    for _ in range(2):  # read twice: alerted once
        async with pool.acquire() as conn, conn.transaction():
            await alert_events(clock).on_urgent_acknowledgement_overdue(conn, envelope, payload)
    rows = await pool.fetch("SELECT person_id, kind, link, due_at FROM alerts ORDER BY id")
    rid = payload.referral_id
    assert [(r["person_id"], r["kind"], r["link"], r["due_at"]) for r in rows] == [
        (intake.id, "urgent_not_acknowledged", f"/inbox/{rid}", NIGHT),
        (coordinator.id, "urgent_not_acknowledged", f"/referrals/{rid}", NIGHT),
    ]
    with smtp_server() as (inbox, port):
        assert await sender(pool, port, clock).send_due() == 2
        subjects = {" ".join(m["Subject"].split()) for _, m in inbox.messages}  # unfolded
    assert subjects == {f"Warmlink alert: Urgent referral not acknowledged at {PRACTICE}"}
