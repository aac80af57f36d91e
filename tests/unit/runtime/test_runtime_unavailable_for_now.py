"""What a consumer waits out (the database's "not now") and what counts against the event."""

from __future__ import annotations

import asyncpg
import pytest

from warmlink.db import unavailable_for_now

NOT_NOW = [
    asyncpg.exceptions.ReadOnlySQLTransactionError(
        "cannot execute INSERT in a read-only transaction"
    ),
    asyncpg.exceptions.QueryCanceledError("canceling statement due to statement timeout"),
    asyncpg.exceptions.LockNotAvailableError("canceling statement due to lock timeout"),
    asyncpg.exceptions.SerializationError("could not serialize access"),
    asyncpg.exceptions.DeadlockDetectedError("deadlock detected"),
    asyncpg.exceptions.TooManyConnectionsError("sorry, too many clients already"),
    asyncpg.exceptions.DiskFullError("could not extend file"),
    asyncpg.exceptions.AdminShutdownError("terminating connection due to administrator command"),
    asyncpg.exceptions.CannotConnectNowError("the database system is starting up"),
    asyncpg.exceptions.IdleInTransactionSessionTimeoutError("idle-in-transaction timeout"),
    ConnectionResetError("connection reset"),
]
THE_EVENTS_FAULT = [
    asyncpg.exceptions.UniqueViolationError("duplicate key value"),
    asyncpg.exceptions.CheckViolationError("violates check constraint"),
    asyncpg.exceptions.UndefinedColumnError("column does not exist"),
    RuntimeError("a handler bug"),
]


@pytest.mark.parametrize("error", NOT_NOW, ids=lambda e: type(e).__name__)
def test_the_databases_not_now_is_waited_out(error: Exception) -> None:
    assert unavailable_for_now(error)


@pytest.mark.parametrize("error", THE_EVENTS_FAULT, ids=lambda e: type(e).__name__)
def test_other_errors_count_against_the_event(error: Exception) -> None:
    assert not unavailable_for_now(error)


def test_a_handlers_own_error_raised_from_a_not_now_is_waited_out() -> None:
    with pytest.raises(ValueError) as caught:
        try:
            raise asyncpg.exceptions.ReadOnlySQLTransactionError("read-only")
        except asyncpg.PostgresError as exc:
            raise ValueError("could not record the referral") from exc
    assert unavailable_for_now(caught.value)


def test_an_error_raised_while_handling_a_not_now_without_from_is_its_own() -> None:
    with pytest.raises(ValueError) as caught:
        try:
            raise asyncpg.exceptions.SerializationError("could not serialize access")
        except asyncpg.PostgresError:
            raise ValueError("a bug in the handler's error path")
    assert not unavailable_for_now(caught.value)
