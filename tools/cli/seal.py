"""`warmlink seal`: re-seal a service's sealed columns with its current key, and count values
by key id (when an old key may leave the ring). Acts on the database through the service's own
settings, so it sees the key ring the service sees."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import asyncpg

from warmlink.sealed import Progress, count_by_key, reseal_column, run_backfills


def _service(service: str) -> tuple[Any, Any]:
    bootstrap = importlib.import_module(f"services.{service}.bootstrap")
    settings = bootstrap.Settings()
    return settings, bootstrap.spec(settings).sealed


async def reseal(service: str, batch_size: int, say: Callable[[str], None]) -> int:
    """Re-seals every value not on the current key; returns how many no key could open."""
    settings, sealed = _service(service)
    keyring = settings.required_seal_keyring()
    conn = await asyncpg.connect(settings.database_url)
    unreadable = 0
    try:
        if backfilled := await run_backfills(conn, keyring, sealed, batch_size):
            say(f"sealed {backfilled} values stored in clear")
        for column in sealed.columns:

            def report(p: Progress) -> None:
                say(f"{p.column}: {p.resealed} re-sealed so far")

            done = await reseal_column(conn, keyring, column, batch_size, report)
            unreadable += done.unreadable
            line = f"{done.column}: {done.resealed} re-sealed with {keyring.current!r}"
            say(line + (f", {done.unreadable} no key opens" if done.unreadable else ""))
    finally:
        await conn.close()
    return unreadable


async def status(service: str, say: Callable[[str], None]) -> dict[str, int]:
    """Values per key id over every sealed column; prints one line per column."""
    settings, sealed = _service(service)
    conn = await asyncpg.connect(settings.database_url)
    totals: dict[str, int] = {}
    try:
        for column in sealed.columns:
            counts = await count_by_key(conn, column)
            for kid, n in counts.items():
                totals[kid] = totals.get(kid, 0) + n
            shown = ", ".join(f"{kid}: {n}" for kid, n in counts.items()) or "empty"
            say(f"{column.name}: {shown}")
    finally:
        await conn.close()
    return totals
