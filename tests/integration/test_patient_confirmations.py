"""The patient's confirmation sender: one message that cannot be opened, or a database outage,
holds back no other confirmation and does not stop the sender."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta

import asyncpg
import orjson
import pytest

from services.referral.adapters.notifications import SmtpNotifier
from services.referral.adapters.patient_notifications import (
    CHANNEL,
    QUEUE,
    QUEUE_DUE,
    associated_data,
)
from services.referral.workers.patient_confirmations import ConfirmationSender
from tests.support.migrated import migrated_pool
from tests.support.smtp import Inbox, smtp_server
from tests.support.waiting import cancelled, eventually, said_or_ended
from warmlink.crypto import Keyring, new_key

REFERRAL = """
INSERT INTO referrals (id, site_id, practice_id, service_id, practice_name, patient_ref, setting,
    method, urgency, level_of_care, referrer_id, consent_given, part2, status, submitted_at,
    acknowledge_by, updated_at)
VALUES ($1, 'riverside-ob', 'lakeside', 'lakeside-therapy', 'Lakeside', 'pt-1', 'ob', 'digital',
    'routine', 'outpatient_therapy', 'dr-1', true, false, 'submitted', $2::timestamptz,
    $2::timestamptz + interval '1 day', $2)"""
KEYRING = Keyring.single("k1", new_key())


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    with smtp_server() as server:
        yield server


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await migrated_pool(database_url, "referral")
    try:
        yield pool
    finally:
        await pool.close()


def sender_for(pool: asyncpg.Pool, port: int) -> ConfirmationSender:
    notifier = SmtpNotifier("127.0.0.1", port, "warmlink@example.org", starttls=False)
    return ConfirmationSender(pool, KEYRING, {"smtp": notifier}, poll_s=0.2)


async def queued(pool: asyncpg.Pool, to: str, keyring: Keyring = KEYRING) -> int:
    referral_id = uuid.uuid4()
    message = orjson.dumps({"to": to, "subject": "Your referral", "body": "Lakeside will call."})
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(REFERRAL, referral_id, datetime.now(UTC) - timedelta(minutes=1))
        await conn.execute(
            QUEUE, referral_id, "smtp", keyring.seal(message, associated_data(referral_id))
        )
        await conn.execute("SELECT pg_notify($1, '')", CHANNEL)
        return int(await conn.fetchval("SELECT max(id) FROM patient_notifications"))


async def test_a_confirmation_that_cannot_be_opened_fails_alone(
    pool: asyncpg.Pool, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    unreadable = await queued(pool, "a@example.org", Keyring.single("k1", new_key()))
    readable = await queued(pool, "b@example.org")

    assert await sender_for(pool, port).send_due() == 2

    rows = {
        r["id"]: (r["status"], r["last_error"])
        for r in await pool.fetch("SELECT id, status, last_error FROM patient_notifications")
    }
    assert rows[unreadable] == ("failed", "sealed message cannot be opened")
    assert rows[readable] == ("sent", None)
    assert [recipients for recipients, _ in inbox.messages] == [["b@example.org"]]


async def test_a_database_outage_pauses_confirmations_and_does_not_end_them(
    pool: asyncpg.Pool, smtp: tuple[Inbox, int], caplog: pytest.LogCaptureFixture
) -> None:
    inbox, port = smtp
    sending = asyncio.create_task(sender_for(pool, port).run())
    try:
        await queued(pool, "before@example.org")
        await eventually(lambda: _received(inbox), until=lambda n: n == 1, what="the first")
        # Every query the sender makes now fails, with a real PostgreSQL error.
        await pool.execute("ALTER TABLE patient_notifications RENAME TO away")
        with caplog.at_level(logging.WARNING):
            await pool.execute("SELECT pg_notify($1, '')", CHANNEL)
            await eventually(
                lambda: said_or_ended(caplog, sending, "database unavailable"),
                what="the sender meeting it",
            )
        await pool.execute("ALTER TABLE away RENAME TO patient_notifications")
        await queued(pool, "after@example.org")
        await eventually(lambda: _received(inbox), until=lambda n: n == 2, what="the second")
        assert not sending.done()
    finally:
        await cancelled(sending)


async def _received(inbox: Inbox) -> int:
    return len(inbox.messages)


async def test_a_later_message_waits_for_its_time_and_is_dropped_once_moot(
    pool: asyncpg.Pool, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    referral_id, booked, rebooked = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    submitted = datetime(2026, 3, 2, 15, tzinfo=UTC)
    due = submitted + timedelta(days=5)
    message = orjson.dumps({"to": "c@example.org", "subject": "Reminder", "body": "Tomorrow."})
    sealed = KEYRING.seal(message, associated_data(referral_id))
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(REFERRAL, referral_id, submitted)
        await conn.execute(
            "UPDATE referrals SET status = 'scheduled', appointment_id = $2 WHERE id = $1",
            referral_id,
            booked,
        )
        for appointment in (booked, rebooked):
            await conn.execute(
                QUEUE_DUE, referral_id, "smtp", sealed, "reminder", due, appointment, None
            )

    def at(moment: datetime) -> ConfirmationSender:
        notifier = SmtpNotifier("127.0.0.1", port, "warmlink@example.org", starttls=False)
        return ConfirmationSender(pool, KEYRING, {"smtp": notifier}, clock=lambda: moment)

    assert await at(due - timedelta(seconds=1)).send_due() == 0
    assert await at(due).send_due() == 2

    rows = await pool.fetch(
        "SELECT appointment_id, status FROM patient_notifications WHERE referral_id = $1",
        referral_id,
    )
    # The reminder of the booking she has is sent; the one of a booking she no longer has is not.
    assert {r["appointment_id"]: r["status"] for r in rows} == {booked: "sent", rebooked: "moot"}
    assert [recipients for recipients, _ in inbox.messages] == [["c@example.org"]]
