"""The portal's invitation mail in a real PostgreSQL and a real SMTP server (aiosmtpd), on an
injected clock: the invitation and its sealed mail commit together; while the relay is down the
sender backs off and loses nothing; when it is back the mail is sent once, and a resent
invitation's earlier mail is never sent."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg

from services.portal.adapters import people
from services.portal.domain.credentials import new_totp_secret
from services.portal.domain.invitations import InvitationPolicy, token_digest
from services.portal.domain.people import LockoutPolicy, Person
from services.portal.domain.sessions import SessionPolicy
from services.portal.service_layer.commands import invitations as invitation_commands
from services.portal.service_layer.commands import sessions as session_commands
from services.portal.workers.outgoing_mail import MailSender
from tests.support.migrated import migrated_pool
from tests.support.smtp import smtp_server
from tools.dev.processes import free_port
from warmlink.crypto import Keyring, new_key
from warmlink.mail import SmtpSender
from warmlink.roles import PersonRole, Role

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
HOW = InvitationPolicy(timedelta(hours=72), "http://portal.test")
LINK = re.compile(r"http://portal\.test/invitations/([A-Za-z0-9_-]+)")


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


async def _admin(pool: asyncpg.Pool, keyring: Keyring) -> Person:
    admin = Person(
        uuid.uuid4(), "riverside-ob", PersonRole.SITE_COORDINATOR, Role.CLINIC,
        "coordinator@riverside-ob.example.org", "h", new_totp_secret(),
    )  # fmt: skip
    async with pool.acquire() as conn:
        assert await people.add(conn, admin, keyring)
    return admin


async def test_mail_waits_out_a_relay_that_is_down_and_is_sent_once_when_it_is_back(
    database_url: str,
) -> None:
    pool = await migrated_pool(database_url, "portal")
    keyring = Keyring.single("k", new_key())
    rules = session_commands.Rules(keyring, SessionPolicy(), LockoutPolicy())
    clock, port = Clock(), free_port()
    sender = MailSender(pool, keyring, SmtpSender("127.0.0.1", port, "noreply@x"), clock, 1.0)
    try:
        admin = await _admin(pool, keyring)
        invite = invitation_commands.Invite("new.ma@riverside-ob.example.org", PersonRole.MA)
        async with pool.acquire() as conn, conn.transaction():
            invitation = await invitation_commands.invite_person(
                conn, rules, HOW, admin, invite, T0
            )
        (mail,) = await pool.fetch("SELECT * FROM outgoing_mail")
        assert mail["status"] == "pending" and mail["about"] == invitation.id
        assert b"new.ma" not in bytes(mail["sealed"]), "the message waits sealed"

        # Nothing listens on the port: the attempt fails and is put off, not lost.
        assert await sender.send_due() == 1
        (mail,) = await pool.fetch("SELECT * FROM outgoing_mail")
        assert (mail["status"], mail["attempts"]) == ("pending", 1)
        assert mail["next_attempt_at"] == T0 + timedelta(seconds=5)
        assert mail["last_error"].startswith("smtp: ") and "new.ma" not in mail["last_error"]
        assert await sender.send_due() == 0, "not again before its back-off has passed"
        clock.now = T0 + timedelta(seconds=5)
        assert await sender.send_due() == 1
        (mail,) = await pool.fetch("SELECT * FROM outgoing_mail")
        assert mail["attempts"] == 2 and mail["next_attempt_at"] == clock.now + timedelta(
            seconds=10
        )

        with smtp_server(port) as (inbox, _):
            clock.now += timedelta(seconds=10)
            assert await sender.send_due() == 1
            clock.now += timedelta(hours=2)
            assert await sender.send_due() == 0
            assert len(inbox.messages) == 1, "sent once"
        (recipients, message) = inbox.messages[0]
        assert recipients == ["new.ma@riverside-ob.example.org"]
        assert message["Subject"] == "You are invited to Warmlink"
        found = LINK.search(message.get_payload())
        assert found is not None
        assert token_digest(found.group(1)) == invitation.token_sha256
        (mail,) = await pool.fetch("SELECT * FROM outgoing_mail")
        assert (mail["status"], mail["attempts"], mail["sealed"]) == ("sent", 3, None)
        assert mail["sent_at"] == clock.now - timedelta(hours=2)
    finally:
        await pool.close()


async def test_a_resent_invitation_mails_only_its_new_link(database_url: str) -> None:
    pool = await migrated_pool(database_url, "portal")
    keyring = Keyring.single("k", new_key())
    rules = session_commands.Rules(keyring, SessionPolicy(), LockoutPolicy())
    clock = Clock()
    try:
        admin = await _admin(pool, keyring)
        invite = invitation_commands.Invite(
            "new.nurse@riverside-ob.example.org", PersonRole.NURSE_SOCIAL_WORKER
        )
        async with pool.acquire() as conn, conn.transaction():
            first = await invitation_commands.invite_person(conn, rules, HOW, admin, invite, T0)
        clock.now = T0 + timedelta(hours=1)
        async with pool.acquire() as conn, conn.transaction():
            again = await invitation_commands.resend_invitation(
                conn, rules, HOW, admin, first.id, clock.now
            )
        assert again.token_sha256 != first.token_sha256
        assert again.expires_at == clock.now + timedelta(hours=72)
        with smtp_server() as (inbox, port):
            sender = MailSender(pool, keyring, SmtpSender("127.0.0.1", port, "n@x"), clock, 1.0)
            assert await sender.send_due() == 1
        (_, message) = inbox.messages[0]
        found = LINK.search(message.get_payload())
        assert found is not None and token_digest(found.group(1)) == again.token_sha256
        rows = await pool.fetch("SELECT status, last_error FROM outgoing_mail ORDER BY id")
        assert [(r["status"], r["last_error"]) for r in rows] == [
            ("failed", "superseded"),
            ("sent", None),
        ]
    finally:
        await pool.close()
