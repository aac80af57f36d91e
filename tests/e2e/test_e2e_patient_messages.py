"""Her messages after the first, end to end: a Spanish (and an English) patient's confirmation,
two-business-day check, appointment and day-before reminder land in a real SMTP server in her
language, each with the same status link; "not safe to contact at this number" keeps every text
off that number.

The referral service sends what is due now by its own clock. What is due later (the check, the
reminder) is sent by a second sender on the same database with a clock the test sets to the
message's due time: nothing waits for the wall clock.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from email.message import Message
from typing import Any

import asyncpg
import httpx
import pytest

from services.referral.adapters.notifications import SmtpNotifier
from services.referral.workers.patient_confirmations import ConfirmationSender
from tests.e2e.conftest import Network, start_network
from tests.e2e.test_e2e_referral_lifecycle import PRACTICE, SITE, body
from tests.support.infra import Infrastructure
from tests.support.smtp import Inbox, smtp_server
from tests.support.waiting import eventually
from tests.support.webhook_receiver import Receiver
from tools.dev.seed import seed_region
from warmlink.auth import Role
from warmlink.crypto import Keyring

PORTAL = "https://portal.example.org"
LINK = re.compile(re.escape(PORTAL) + r"/s/[A-Za-z0-9_-]{22}")
PATIENT = {"given_name": "Rosa", "family_name": "Example", "email": "rosa@example.org"}


@pytest.fixture(scope="module")
def smtp() -> Iterator[tuple[Inbox, int]]:
    with smtp_server() as server:
        yield server


@pytest.fixture(scope="module")
def sms() -> Iterator[Receiver]:
    receiver = Receiver()
    receiver.start()
    try:
        yield receiver
    finally:
        receiver.stop()


@pytest.fixture(scope="module")
def net(infra: Infrastructure, smtp: tuple[Inbox, int], sms: Receiver) -> Iterator[Network]:
    env = {
        "NOTIFY_CHANNEL": "smtp",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp[1]),
        "SMS_URL": sms.url("/sms"),  # an email network that also offers texts
        "SMS_API_KEY": "test-sms-key",
        "PORTAL_URL": PORTAL,
    }
    stack = start_network(infra, ["directory", "referral"], env)
    try:
        seed_region(f"http://127.0.0.1:{stack.ports['directory']}", stack.signing_key)
        yield Network(stack)
    finally:
        stack.stop()


@pytest.fixture
async def pool(net: Network) -> AsyncIterator[asyncpg.Pool]:
    assert net.stack.infra is not None
    pool = await asyncpg.create_pool(
        net.stack.infra.database_url_for["referral"], min_size=1, max_size=2
    )
    try:
        yield pool
    finally:
        await pool.close()


def later_sender(net: Network, pool: asyncpg.Pool, port: int, at: datetime) -> ConfirmationSender:
    """A second sender on the referral database whose clock reads `at`."""
    keyring = Keyring.single("phi-1", net.stack._secret("referral-phi"))
    notifier = SmtpNotifier("127.0.0.1", port, "noreply@warmlink.example", starttls=False)
    return ConfirmationSender(pool, keyring, {"smtp": notifier}, clock=lambda: at)


def _to(inbox: Inbox, address: str) -> list[Message]:
    return [m for recipients, m in inbox.messages if recipients == [address]]


async def _arrived(inbox: Inbox, address: str, count: int) -> list[Message]:
    async def received() -> list[Message]:
        return _to(inbox, address)

    return await eventually(received, until=lambda m: len(m) >= count, what=f"{count} messages")


async def _due(net: Network, rid: str, kind: str) -> datetime:
    rows = await net.query(
        "referral",
        "SELECT next_attempt_at FROM patient_notifications WHERE referral_id = $1 AND kind = $2",
        rid,
        kind,
    )
    assert len(rows) == 1, (kind, rows)
    due: datetime = rows[0]["next_attempt_at"]
    return due


SPANISH = (
    "es-MX",
    [
        "Su referido: que pasa ahora",
        "La ha contactado la consulta?",
        "Su cita",
        "Un recordatorio para manana",
    ],
    ["Le contactaran", "Si no, llameles al", "Le atendera Dra. Luz Ortega", "es manana"],
)
ENGLISH = (
    "en",
    [
        "Your referral: what happens next",
        "Has the practice reached you?",
        "Your appointment",
        "A reminder for tomorrow",
    ],
    ["They will contact you", "If not, please call", "You will see Dra. Luz Ortega", "tomorrow"],
)


@pytest.mark.parametrize(("language", "subjects", "phrases"), [SPANISH, ENGLISH])
async def test_her_whole_sequence_arrives_in_her_language_with_one_status_link(
    net: Network,
    smtp: tuple[Inbox, int],
    pool: asyncpg.Pool,
    language: str,
    subjects: list[str],
    phrases: list[str],
) -> None:
    inbox, port = smtp
    address = f"rosa.{language}@example.org"
    practice = net.auth(PRACTICE, Role.PRACTICE)
    async with httpx.AsyncClient(base_url=net.url("referral")) as client:
        created = await client.post(
            "/v1/referrals",
            json=body(patient=PATIENT | {"email": address}, language=language),
            headers=net.auth(SITE) | {"Idempotency-Key": f"sequence-{language}"},
        )
        assert created.status_code == 201, created.text
        rid = created.json()["id"]
        await _arrived(inbox, address, 1)  # the confirmation, sent at once

        # Two business days on, nobody has reached her: "has the practice reached you?"
        check_at = await _due(net, rid, "check")
        assert check_at > datetime.now(UTC) + timedelta(days=1)
        assert await later_sender(net, pool, port, check_at).send_due() == 1
        await _arrived(inbox, address, 2)

        assert (await client.post(f"/v1/intake/{rid}/acknowledge", headers=practice)).is_success
        appointment_at = (datetime.now(UTC) + timedelta(days=6)).replace(microsecond=0)
        scheduled = await client.post(
            f"/v1/intake/{rid}/schedule",
            json={
                "appointment_at": appointment_at.isoformat(),
                "modality": "in_person",
                "location": "200 W Lake St, Chicago",
                "clinician_name": "Dra. Luz Ortega",
            },
            headers=practice,
        )
        assert scheduled.status_code == 200, scheduled.text
        await _arrived(inbox, address, 3)  # the appointment, sent with the booking

        reminder_at = await _due(net, rid, "reminder")
        assert appointment_at - timedelta(days=2) < reminder_at < appointment_at
        assert await later_sender(net, pool, port, reminder_at).send_due() == 1
        messages = await _arrived(inbox, address, 4)

    texts = [m.get_payload(decode=True).decode() for m in messages]
    assert [m["Subject"] for m in messages] == subjects
    for text, phrase in zip(texts, phrases, strict=True):
        assert phrase in text, (phrase, text)
        assert "988" in text and text.isascii()
    assert "200 W Lake St, Chicago" in texts[2] and "200 W Lake St, Chicago" in texts[3]
    assert len({LINK.search(t).group(0) for t in texts if LINK.search(t)}) == 1
    assert all(LINK.search(t) for t in texts)
    # Her name, and her referral's id, are in none of them.
    assert not any("Rosa" in t or "Example" in t or rid in t for t in texts)
    # The site and the practice see each message's delivery: kind, channel, state, times only.
    async with httpx.AsyncClient(base_url=net.url("referral")) as client:
        seen = [
            (await client.get(f"/v1/referrals/{rid}/patient-messages", headers=h)).json()
            for h in (net.auth(SITE), practice)
        ]
        foreign = await client.get(
            f"/v1/referrals/{rid}/patient-messages", headers=net.auth("maple-pediatrics")
        )
    assert seen[0] == seen[1]
    items = seen[0]["items"]
    assert sorted((i["kind"], i["channel"], i["status"]) for i in items) == [
        ("appointment", "email", "sent"),
        ("check", "email", "sent"),
        ("confirmation", "email", "sent"),
        ("reminder", "email", "sent"),
    ]
    assert all(i["sent_at"] for i in items)
    assert address not in str(seen) and "Subject" not in str(seen)
    assert foreign.status_code == 404


async def _submit(net: Network, key: str, patient: dict[str, Any]) -> str:
    async with httpx.AsyncClient(base_url=net.url("referral")) as client:
        created = await client.post(
            "/v1/referrals",
            json=body(patient=patient),
            headers=net.auth(SITE) | {"Idempotency-Key": key},
        )
    assert created.status_code == 201, created.text
    rid: str = created.json()["id"]
    return rid


async def test_a_number_not_safe_to_contact_gets_no_text_even_when_she_chose_texts(
    net: Network, smtp: tuple[Inbox, int], sms: Receiver
) -> None:
    inbox = smtp[0]
    texts = {"phone": "312-555-0111", "message_channel": "sms"}
    # Control: the same choice on a safe number is a text, so the network can text.
    await _submit(net, "sms-safe", PATIENT | texts | {"email": None})
    await eventually(lambda: _count(sms), until=lambda n: n == 1, what="the control's text")

    unsafe = texts | {"phone_unsafe": True}
    emailed = await _submit(net, "sms-unsafe", PATIENT | unsafe | {"email": "safe@example.org"})
    await _arrived(inbox, "safe@example.org", 1)
    silent = await _submit(net, "sms-unsafe-only", PATIENT | unsafe | {"email": None})

    rows = await net.query(
        "referral",
        "SELECT referral_id::text AS rid, channel FROM patient_notifications "
        "WHERE referral_id = ANY($1::uuid[])",
        [emailed, silent],
    )
    assert {(r["rid"], r["channel"]) for r in rows} == {(emailed, "smtp")}
    assert len(sms.received("/sms")) == 1
    assert "312-555-0111" in sms.received("/sms")[0].body


async def _count(sms: Receiver) -> int:
    return len(sms.received("/sms"))


@pytest.fixture(scope="module")
def texting(infra: Infrastructure, sms: Receiver) -> Iterator[Network]:
    """A network that sends patients texts only."""
    env = {"NOTIFY_CHANNEL": "sms", "SMS_URL": sms.url("/texts"), "SMS_API_KEY": "k"}
    stack = start_network(infra, ["directory", "referral"], env)
    try:
        seed_region(f"http://127.0.0.1:{stack.ports['directory']}", stack.signing_key)
        yield Network(stack)
    finally:
        stack.stop()


async def test_a_texting_network_sends_nothing_at_all_to_a_number_not_safe_to_contact(
    texting: Network, sms: Receiver
) -> None:
    safe = await _submit(texting, "texting-safe", PATIENT | {"phone": "312-555-0122"})
    await eventually(
        lambda: _count_at(sms, "/texts"), until=lambda n: n == 1, what="the control's text"
    )
    unsafe = await _submit(
        texting, "texting-unsafe", PATIENT | {"phone": "312-555-0133", "phone_unsafe": True}
    )
    async with httpx.AsyncClient(base_url=texting.url("referral")) as client:
        panels = [
            await client.post(
                f"/v1/referrals/{rid}/patient-message",
                headers=texting.auth(SITE) | {"Idempotency-Key": f"panel-{rid}"},
            )
            for rid in (safe, unsafe)
        ]
    assert [p.status_code for p in panels] == [202, 409]
    assert panels[1].json()["channel"] == "sms"
    rows = await texting.query(
        "referral", "SELECT count(*) AS n FROM patient_notifications WHERE referral_id = $1", unsafe
    )
    assert rows[0]["n"] == 0
    assert not any("312-555-0133" in r.body for r in sms.received("/texts"))


async def _count_at(sms: Receiver, path: str) -> int:
    return len(sms.received(path))
