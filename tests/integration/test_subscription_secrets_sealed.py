"""Webhook secrets at rest (referral migration 015): a database from before it held them as
issued; the service seals them at startup, bound to their subscription, before any delivery."""

from __future__ import annotations

import uuid
from pathlib import Path

import asyncpg
import pytest

from services.referral.subscriptions.adapters.sealing import open_sealed, seal_stored_secrets
from warmlink.crypto import CannotOpen, Keyring, new_key
from warmlink.migrations import RUNTIME_MIGRATIONS, discover, migrate

REFERRAL_MIGRATIONS = Path(__file__).parents[2] / "services" / "referral" / "migrations"
AS_ISSUED = """
INSERT INTO subscriptions (id, organization_id, url, heartbeat_s, secret, previous_secret)
VALUES ($1, 'site-x', 'https://example.org/hook', 60, $2, $3)"""


async def test_secrets_stored_as_issued_are_sealed_once_and_open_only_in_their_row(
    database_url: str,
) -> None:
    keyring = Keyring.single("phi-1", new_key())
    conn = await asyncpg.connect(database_url)
    try:
        await migrate(
            conn, discover(("runtime", RUNTIME_MIGRATIONS), ("referral", REFERRAL_MIGRATIONS))
        )
        rotated, fresh = uuid.uuid4(), uuid.uuid4()
        await conn.execute(AS_ISSUED, rotated, "whsec_current", "whsec_previous")
        await conn.execute(AS_ISSUED, fresh, "whsec_only", None)

        assert await seal_stored_secrets(conn, keyring) == 2
        assert await seal_stored_secrets(conn, keyring) == 0  # nothing left as issued

        rows = {r["id"]: r for r in await conn.fetch("SELECT * FROM subscriptions")}
        assert all(r["secret"] is None and r["previous_secret"] is None for r in rows.values())
        assert open_sealed(keyring, rotated, rows[rotated]["secret_sealed"]) == "whsec_current"
        previous = rows[rotated]["previous_secret_sealed"]
        assert open_sealed(keyring, rotated, previous) == "whsec_previous"
        assert open_sealed(keyring, fresh, rows[fresh]["secret_sealed"]) == "whsec_only"
        assert rows[fresh]["previous_secret_sealed"] is None
        assert b"whsec" not in rows[rotated]["secret_sealed"]
        with pytest.raises(CannotOpen):  # bound to its subscription: copied, it does not open
            open_sealed(keyring, fresh, rows[rotated]["secret_sealed"])
        with pytest.raises(asyncpg.CheckViolationError):  # a row must keep its secret somehow
            await conn.execute("UPDATE subscriptions SET secret_sealed = NULL WHERE id = $1", fresh)
    finally:
        await conn.close()
