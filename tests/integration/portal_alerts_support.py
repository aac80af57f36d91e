"""The portal's alerts in a real PostgreSQL: people to alert, events decided into alerts in a
transaction as the consumer runs them, and the sender as a process of its own (so a test can
SIGKILL it): `python -m tests.integration.portal_alerts_support <database url> <smtp port>
<now, ISO 8601>`: it sends what is due at the test's time, not the wall clock's."""

from __future__ import annotations

import asyncio
import sys
import uuid
from datetime import datetime, time
from zoneinfo import ZoneInfo

import asyncpg

from contracts.codes import Urgency
from contracts.envelope import Envelope, wrap
from services.portal.adapters import people
from services.portal.adapters.sms import NoSms
from services.portal.domain.credentials import new_totp_secret
from services.portal.domain.people import Person
from services.portal.service_layer.events import AlertEvents
from services.portal.workers.alert_sender import AlertSender
from tests.e2e.directory_support import submitted
from warmlink.crypto import Keyring, new_key
from warmlink.mail import SmtpSender
from warmlink.roles import PersonRole, Role

PRACTICE, SITE = "lantern-telehealth", "riverside-ob"
CHICAGO = ZoneInfo("America/Chicago")
BASE_URL = "http://portal.test"


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def add_person(
    pool: asyncpg.Pool, keyring: Keyring, org: str, role: PersonRole, access: Role
) -> Person:
    person = Person(
        uuid.uuid4(), org, role, access, f"{role.value}-{uuid.uuid4().hex[:8]}@{org}.example.org",
        "h", new_totp_secret(),
    )  # fmt: skip
    async with pool.acquire() as conn:
        assert await people.add(conn, person, keyring)
    return person


async def referral_submitted(
    pool: asyncpg.Pool, events: AlertEvents, urgent: bool = False
) -> Envelope:
    """A new referral to PRACTICE, handled as the consumer would: in a transaction."""
    payload = submitted(PRACTICE, f"{PRACTICE}-therapy").model_copy(
        update={"urgency": Urgency.URGENT if urgent else Urgency.ROUTINE}
    )
    envelope = wrap(payload, producer="referral")
    async with pool.acquire() as conn, conn.transaction():
        await events.on_referral_submitted(conn, envelope, payload)
    return envelope


def alert_events(clock: Clock) -> AlertEvents:
    return AlertEvents(CHICAGO, time(7, 0), clock)


def sender(pool: asyncpg.Pool, smtp_port: int, clock: Clock) -> AlertSender:
    mail = SmtpSender("127.0.0.1", smtp_port, "alerts@warmlink.example", starttls=False)
    return AlertSender(pool, Keyring.single("k", new_key()), mail, NoSms(), BASE_URL, clock, 1.0)


async def _serve(database_url: str, smtp_port: int, now: datetime) -> None:
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=2)
    await sender(pool, smtp_port, Clock(now)).send_due()


if __name__ == "__main__":
    asyncio.run(_serve(sys.argv[1], int(sys.argv[2]), datetime.fromisoformat(sys.argv[3])))
