"""The portal's rules without I/O: lockout and its back-off, TOTP codes accepted once,
sessions that end when idle or too old, passwords hashed with argon2id."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pyotp
import pytest

from services.portal.domain.credentials import (
    accepted_step,
    current_code,
    hash_password,
    new_totp_secret,
    password_matches,
)
from services.portal.domain.errors import WeakPassword
from services.portal.domain.people import LockoutPolicy, Person
from services.portal.domain.sessions import Ending, Session, SessionPolicy, Stage, digest
from warmlink.roles import PersonRole, Role, person_role_fits

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def person(**changes: object) -> Person:
    base = Person(
        id=uuid.uuid4(),
        organization_id="riverside-ob",
        role=PersonRole.MA,
        access_role=Role.CLINIC,
        email="ma@riverside-ob.example.org",
        password_hash="x",
        totp_secret=new_totp_secret(),
    )
    return Person(**(base.__dict__ | changes))  # type: ignore[arg-type]


def test_five_failures_lock_for_a_minute_and_each_lockout_doubles_up_to_an_hour() -> None:
    policy, p = LockoutPolicy(), person()
    lasted = []
    for _ in range(8):
        for attempt in range(5):
            assert policy.locked_for(p, NOW) is None, attempt
            p = policy.after_failure(p, NOW)
        locked = policy.locked_for(p, NOW)
        assert locked is not None
        lasted.append(int(locked.total_seconds()))
        assert policy.locked_for(p, NOW + locked) is None  # over when it says
        p = Person(**(p.__dict__ | {"locked_until": None}))  # type: ignore[arg-type]
    assert lasted == [60, 120, 240, 480, 960, 1920, 3600, 3600]
    fresh = policy.after_success(policy.after_failure(p, NOW))
    assert (fresh.failed_attempts, fresh.lockouts, fresh.locked_until) == (0, 0, None)


def test_a_code_is_accepted_once_in_its_window_and_a_stale_one_never() -> None:
    secret = new_totp_secret()
    code = current_code(secret, NOW)
    step = accepted_step(secret, code, NOW, None)
    assert step == pyotp.TOTP(secret).timecode(NOW)
    assert accepted_step(secret, code, NOW + timedelta(seconds=10), step) is None  # replayed
    # The previous step's code is still accepted (a phone a little behind), once.
    earlier = current_code(secret, NOW - timedelta(seconds=30))
    assert accepted_step(secret, earlier, NOW, None) == step - 1
    assert accepted_step(secret, code, NOW + timedelta(minutes=2), None) is None  # too old
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    assert accepted_step(secret, wrong, NOW, None) is None
    assert accepted_step(secret, f"{code[:3]} {code[3:]}", NOW, None) == step  # spaces allowed


def test_sessions_end_after_idle_and_after_their_longest_span() -> None:
    policy = SessionPolicy(idle=timedelta(minutes=15), longest=timedelta(hours=12))
    s = Session(digest("id"), Stage.SIGNED_IN, "csrf", NOW, NOW)
    assert policy.ending(s, NOW + timedelta(minutes=14, seconds=59)) is None
    assert policy.ending(s, NOW + timedelta(minutes=15)) is Ending.IDLE
    busy = Session(s.id_sha256, s.stage, "csrf", NOW, NOW + timedelta(hours=11, minutes=59))
    assert policy.ending(busy, NOW + timedelta(hours=11, minutes=59, seconds=30)) is None
    assert policy.ending(busy, NOW + timedelta(hours=12)) is Ending.TOO_OLD
    waiting = Session(digest("w"), Stage.PASSWORD_OK, "csrf", NOW, NOW)
    assert policy.ending(waiting, NOW + timedelta(minutes=5)) is Ending.IDLE  # code too late
    assert s.csrf_matches("csrf") and not s.csrf_matches("other") and not s.csrf_matches(None)
    assert len(digest("id")) == 32 and digest("id") != digest("ie")


def test_passwords_are_argon2id_and_short_ones_refused() -> None:
    hashed = hash_password("correct horse battery")
    assert hashed.startswith("$argon2id$")
    assert password_matches(hashed, "correct horse battery")
    assert not password_matches(hashed, "correct horse battery!")
    assert not password_matches(None, "anything at all")  # unknown email: decoy, False
    with pytest.raises(WeakPassword):
        hash_password("short")


def test_people_roles_fit_their_organization_kind() -> None:
    assert person_role_fits(Role.CLINIC, PersonRole.MA)
    assert person_role_fits(Role.PRACTICE, PersonRole.CLINICIAN)
    assert not person_role_fits(Role.CLINIC, PersonRole.INTAKE_COORDINATOR)
    assert not person_role_fits(Role.PRACTICE, PersonRole.NETWORK_ADMIN)
    coordinator = person(role=PersonRole.SITE_COORDINATOR)
    assert coordinator.may_administer(person()) and not person().administers_people
    assert not coordinator.may_administer(person(organization_id="maple-pediatrics"))


def test_a_session_is_written_again_only_when_its_last_write_is_30_seconds_old() -> None:
    policy = SessionPolicy()
    s = Session(digest("id"), Stage.SIGNED_IN, "csrf", NOW, NOW)
    assert not policy.needs_touch(s, NOW + timedelta(seconds=29))
    assert policy.needs_touch(s, NOW + timedelta(seconds=30))
