"""Ordered SQL migrations, recorded in `schema_migrations` with a checksum.

Files are applied in name order, each in its own transaction, under an advisory lock so two
replicas starting together do not race. A file that changed after it was applied is an error: fix
forward with a new file instead.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from warmlink.db import Connection
from warmlink.pool import holds_session_state

RUNTIME_MIGRATIONS = Path(__file__).parent / "sql"
_LOCK_ID = 0x5741524D  # "WARM"

CREATE_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    name        text PRIMARY KEY,
    checksum    text NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now()
)"""
SELECT_APPLIED = "SELECT name, checksum FROM schema_migrations"
RECORD_APPLIED = "INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)"


class MigrationChanged(RuntimeError):
    pass


@dataclass(frozen=True)
class Migration:
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def discover(*folders: tuple[str, Path]) -> list[Migration]:
    """Collect `NNN_name.sql` files; each folder gets a namespace so names never collide."""
    found: list[Migration] = []
    for namespace, folder in folders:
        for path in sorted(folder.glob("*.sql")):
            found.append(Migration(f"{namespace}/{path.name}", path.read_text()))
    return found


async def migrate(conn: Connection, migrations: list[Migration]) -> list[str]:
    """Apply what is missing; return the names applied now."""
    applied_now: list[str] = []
    holds_session_state(conn)  # a session lock: a pooled connection is reset on release
    await conn.execute("SELECT pg_advisory_lock($1)", _LOCK_ID)
    try:
        await conn.execute(CREATE_TABLE)
        applied = {r["name"]: r["checksum"] for r in await conn.fetch(SELECT_APPLIED)}
        for migration in migrations:
            if migration.name in applied:
                if applied[migration.name] != migration.checksum:
                    raise MigrationChanged(f"{migration.name} changed after it was applied")
                continue
            async with conn.transaction():
                await conn.execute(migration.sql)
                await conn.execute(RECORD_APPLIED, migration.name, migration.checksum)
            applied_now.append(migration.name)
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", _LOCK_ID)
    return applied_now
