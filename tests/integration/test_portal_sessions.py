"""The portal's sessions in a real PostgreSQL, on an injected clock: sessions that lapse unused
are ended by the sweep (idle, too old), old ended and anonymous ones removed, live ones kept;
a page reads its session with its person, and one found lapsed is ended and audited once."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from services.portal.adapters import people, sessions
from services.portal.domain.credentials import new_totp_secret
from services.portal.domain.errors import SessionEnded
from services.portal.domain.people import LockoutPolicy, Person
from services.portal.domain.sessions import SessionPolicy, Stage
from services.portal.service_layer.commands import sessions as session_commands
from tests.support.migrated import migrated_pool
from warmlink.crypto import Keyring, new_key
from warmlink.roles import PersonRole, Role

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


async def test_the_sweep_ends_lapsed_sessions_and_removes_day_old_ones(database_url: str) -> None:
    pool = await migrated_pool(database_url, "portal")
    keyring = Keyring.single("k", new_key())
    policy = SessionPolicy(idle=timedelta(minutes=15), longest=timedelta(hours=12))
    person = Person(
        uuid.uuid4(), "riverside-ob", PersonRole.MA, Role.CLINIC, "ma@x.example.org", "h",
        new_totp_secret(),
    )  # fmt: skip
    try:
        async with pool.acquire() as conn:
            assert await people.add(conn, person, keyring)
            idle = await session_commands.open_session(conn, Stage.SIGNED_IN, T0, person)
            busy = await session_commands.open_session(conn, Stage.SIGNED_IN, T0, person)
            old = await session_commands.open_session(
                conn, Stage.SIGNED_IN, T0 - timedelta(hours=13), person
            )
            await sessions.touch(conn, busy.session.id_sha256, T0 + timedelta(minutes=14))
            await sessions.touch(conn, old.session.id_sha256, T0 + timedelta(minutes=14))
            anonymous = await session_commands.open_session(conn, Stage.ANONYMOUS, T0)

            now = T0 + timedelta(minutes=16)
            assert (
                await session_commands.sweep_sessions(conn, policy, now) == 3
            )  # idle, old, anonymous
            endings = {
                name: (await sessions.get(conn, s.session.id_sha256))
                for name, s in {"idle": idle, "busy": busy, "old": old, "anon": anonymous}.items()
            }
            assert endings["busy"] is not None and endings["busy"].ended is None
            assert endings["idle"] is not None and endings["idle"].ended == "idle"
            assert endings["old"] is not None and endings["old"].ended == "too_old"

            # A day later the ones ended then are gone; the busy one is past its 12 hours since.
            later = now + timedelta(days=1, minutes=1)
            assert await session_commands.sweep_sessions(conn, policy, later) == 1
            left = await conn.fetch("SELECT id_sha256, ended FROM sessions")
            assert [(bytes(r["id_sha256"]), r["ended"]) for r in left] == [
                (busy.session.id_sha256, "too_old")
            ]
            assert await sessions.get(conn, idle.session.id_sha256) is None
            assert await sessions.get(conn, anonymous.session.id_sha256) is None
    finally:
        await pool.close()


async def test_a_page_reads_its_session_and_person_at_once_and_a_lapsed_one_ends_recorded_once(
    database_url: str,
) -> None:
    pool = await migrated_pool(database_url, "portal")
    keyring = Keyring.single("k", new_key())
    rules = session_commands.Rules(
        keyring, SessionPolicy(idle=timedelta(minutes=15)), LockoutPolicy()
    )
    person = Person(
        uuid.uuid4(), "riverside-ob", PersonRole.MA, Role.CLINIC, "ma2@x.example.org", "h",
        new_totp_secret(),
    )  # fmt: skip
    try:
        async with pool.acquire() as conn:  # no transaction: a page's connection as it comes
            assert await people.add(conn, person, keyring)
            signed_in = await session_commands.open_session(conn, Stage.SIGNED_IN, T0, person)
            anonymous = await session_commands.open_session(conn, Stage.ANONYMOUS, T0)

            found = await session_commands.current(conn, rules, signed_in.session_id, T0)
            assert found is not None and found.person == person
            found = await session_commands.current(conn, rules, anonymous.session_id, T0)
            assert found is not None and found.person is None
            assert await session_commands.current(conn, rules, "no-such-session", T0) is None

            later = T0 + timedelta(minutes=16)
            for _ in range(2):  # the second request finds it ended and records nothing more
                with pytest.raises(SessionEnded) as ended:
                    await session_commands.current(conn, rules, signed_in.session_id, later)
                assert ended.value.reason == "idle"
            events = await conn.fetch(
                "SELECT outcome, at FROM sign_in_events WHERE person_id = $1", person.id
            )
            assert [(e["outcome"], e["at"]) for e in events] == [("ended_idle", later)]
            kept = await sessions.get(conn, signed_in.session.id_sha256)
            assert kept is not None and kept.ended == "idle"
    finally:
        await pool.close()
