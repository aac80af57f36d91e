"""Sign-in and sessions: password, then code, then a session the browser holds; sign-out and
the sweep of lapsed sessions. Each function runs in the caller's transaction, never commits and
never speaks HTTP."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from services.portal.adapters import (
    identity_providers,
    people,
    sessions,
)
from services.portal.domain.credentials import (
    accepted_step,
    password_matches,
)
from services.portal.domain.errors import (
    LockedOut,
    SessionEnded,
    SignInRefused,
)
from services.portal.domain.people import LockoutPolicy, Person
from services.portal.domain.sessions import (
    Ending,
    Session,
    SessionPolicy,
    Stage,
    digest,
    new_csrf_token,
    new_session_id,
)
from warmlink.crypto import Keyring
from warmlink.db import Connection

KEEP_ENDED = timedelta(days=1)


@dataclass(frozen=True)
class Rules:
    keyring: Keyring
    sessions: SessionPolicy
    lockout: LockoutPolicy


@dataclass(frozen=True)
class Opened:
    """A session the browser holds (`session_id`, set as its cookie) and whose it is."""

    session_id: str
    session: Session
    person: Person | None = None


async def open_session(
    conn: Connection, stage: Stage, now: datetime, person: Person | None = None
) -> Opened:
    session_id = new_session_id()
    session = Session(
        digest(session_id), stage, new_csrf_token(), now, now, person.id if person else None
    )
    await sessions.add(conn, session)
    return Opened(session_id, session, person)


async def current(
    conn: Connection, rules: Rules, session_id: str | None, now: datetime
) -> Opened | None:
    """The browser's session if it still lasts (and touch it); None if it has none. A session
    that has just ended (idle, too old, its person disabled) ends now: SessionEnded.

    Needs no transaction: it reads in one statement and each write is one statement, so every
    page's first step costs one round trip unless the session must be touched or ended."""
    if not session_id:
        return None
    found = await sessions.get_with_person(conn, digest(session_id), rules.keyring)
    if found is None:
        return None
    session, person = found
    ending = rules.sessions.ending(session, now)
    if ending is None and person is not None and person.disabled_at is not None:
        ending = Ending.DISABLED
    if ending is not None:
        if session.ended is None:
            await sessions.end_recorded(conn, session.id_sha256, ending, now)
        raise SessionEnded(str(ending))
    if rules.sessions.needs_touch(session, now):
        await sessions.touch(conn, session.id_sha256, now)
    return Opened(session_id, session, person)


async def check_password(
    conn: Connection, rules: Rules, anonymous: Opened, email: str, password: str, now: datetime
) -> Opened:
    """First factor. The anonymous session is replaced by one waiting for the code."""
    person = await people.by_email(conn, email, rules.keyring)
    matches = password_matches(person.password_hash if person else None, password)
    if person is None:
        await people.record_event(conn, None, "unknown_email", now)
        raise SignInRefused()
    await _refuse_if_locked(conn, rules.lockout, person, now)
    if person.disabled_at is not None:
        await people.record_event(conn, person.id, "disabled", now)
        raise SignInRefused()
    if not matches:
        await _failed(conn, rules.lockout, person, "wrong_password", now)
    await people.record_event(conn, person.id, "password_ok", now)
    await sessions.end(conn, anonymous.session.id_sha256, Ending.REPLACED, now)
    return await open_session(conn, Stage.PASSWORD_OK, now, person)


async def check_code(
    conn: Connection, rules: Rules, waiting: Opened, code: str, now: datetime
) -> Opened:
    """Second factor (TOTP): a code is accepted once. The session is replaced by a signed-in
    one."""
    person = waiting.person
    assert person is not None and waiting.session.stage is Stage.PASSWORD_OK
    await _refuse_if_locked(conn, rules.lockout, person, now)
    step = accepted_step(person.totp_secret, code, now, person.totp_last_step)
    if step is None:
        await _failed(conn, rules.lockout, person, "wrong_code", now, field="/code")
    signed_in = replace(rules.lockout.after_success(person), totp_last_step=step)
    await people.save_attempts(conn, signed_in)
    await people.record_event(conn, person.id, "signed_in", now)
    await sessions.end(conn, waiting.session.id_sha256, Ending.REPLACED, now)
    return await open_session(conn, Stage.SIGNED_IN, now, signed_in)


async def _refuse_if_locked(
    conn: Connection, lockout: LockoutPolicy, person: Person, now: datetime
) -> None:
    locked = lockout.locked_for(person, now)
    if locked is not None:
        await people.record_event(conn, person.id, "locked_out", now)
        raise LockedOut(int(locked.total_seconds() + 0.999))


async def _failed(
    conn: Connection,
    lockout: LockoutPolicy,
    person: Person,
    outcome: str,
    now: datetime,
    field: str = "/password",
) -> None:
    after = lockout.after_failure(person, now)
    await people.save_attempts(conn, after)
    await people.record_event(conn, person.id, outcome, now)
    locked = lockout.locked_for(after, now)
    if locked is not None:
        raise LockedOut(int(locked.total_seconds()))
    raise SignInRefused(field)


async def sign_out(conn: Connection, opened: Opened, now: datetime) -> None:
    await sessions.end(conn, opened.session.id_sha256, Ending.SIGNED_OUT, now)
    if opened.session.person_id is not None:
        await people.record_event(conn, opened.session.person_id, "signed_out", now)
    await sessions.sweep(conn, now - KEEP_ENDED)


async def sweep_sessions(conn: Connection, policy: SessionPolicy, now: datetime) -> int:
    """End the sessions that lapsed while nobody used them; remove old ended and anonymous ones.
    Returns how many it ended."""
    ended = await sessions.end_lapsed(conn, now - policy.idle, now - policy.longest, now)
    await sessions.sweep(conn, now - KEEP_ENDED)
    await identity_providers.sweep_pending(conn, now - KEEP_ENDED)  # refused long before
    return ended
