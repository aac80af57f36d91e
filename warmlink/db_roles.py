"""Least-privilege database roles: one owner and one runtime role per service database.

- The *owner* role owns the service's database and everything in it; migrations run as it
  (`<PREFIX>MIGRATION_DATABASE_URL`), and after them `grant_runtime` gives the runtime role what
  it needs, by name. Nothing else uses it.
- The *runtime* role is what the service's requests, relay, consumers and workers connect as
  (`<PREFIX>DATABASE_URL`): data rights on its own tables, and on the append-only ones (the audit
  log, the timelines: every table guarded by `audit_log_append_only`) INSERT and SELECT only,
  never UPDATE, DELETE or TRUNCATE. It owns nothing, so it cannot change a table or a trigger.
- Neither may connect to another service's database: CONNECT is revoked from PUBLIC.

`provision` makes the roles and hands an existing database (and the objects an earlier run made
as another role) to its owner; an administrator runs it once per service (`warmlink db roles`,
the development stack at start, deploy/postgres/init.sh in compose). `grant_runtime` runs at every
start, after the migrations, so a table a new migration adds is granted without anyone
remembering to.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from warmlink.db import Connection

# Tables whose rows may only be added: those with a trigger that runs the append-only guard.
APPEND_ONLY_TABLES = """
SELECT DISTINCT c.relname
FROM pg_trigger t
JOIN pg_class c ON c.oid = t.tgrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_proc p ON p.oid = t.tgfoid
WHERE n.nspname = 'public' AND p.proname = 'audit_log_append_only'
ORDER BY c.relname"""
# Replicas (or a service's worker processes) starting together grant at the same moment, and
# PostgreSQL refuses two GRANTs on one object at once ("tuple concurrently updated", seen when
# the directory's benchmark started its workers): the grants take turns under this lock.
GRANTS_LOCK = "SELECT pg_advisory_xact_lock(x'5741524547'::bigint)"  # "WAREG"
ROLE_EXISTS = "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)"
DATABASE_EXISTS = "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)"
# What an earlier run left owned by someone else (the superuser, before roles): tables, views,
# sequences and functions of the public schema.
FOREIGN_OWNED = """
SELECT CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW'
                      WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END AS kind,
       quote_ident(c.relname) AS name
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
  AND pg_get_userbyid(c.relowner) <> $1
  AND NOT (c.relkind = 'S' AND EXISTS (  -- an identity or serial sequence follows its table
      SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i')))
UNION ALL
SELECT 'FUNCTION', p.oid::regprocedure::text
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = 'public' AND pg_get_userbyid(p.proowner) <> $1"""


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _password(secret: str | None) -> str:
    if secret is None:
        return ""
    return " PASSWORD '" + secret.replace("'", "''") + "'"


def role_of(database_url: str) -> str:
    """The role a PostgreSQL URL connects as."""
    user = urlsplit(database_url).username
    if not user:
        raise ValueError("the database URL names no role (postgresql://ROLE@host/db)")
    return user


async def ensure_role(admin: Connection, role: str, password: str | None = None) -> None:
    """A login role with no special powers (made, or its password set, by an administrator)."""
    verb = "ALTER" if await admin.fetchval(ROLE_EXISTS, role) else "CREATE"
    await admin.execute(
        f"{verb} ROLE {quote_ident(role)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE "
        f"NOREPLICATION NOBYPASSRLS{_password(password)}"
    )


async def provision_database(admin: Connection, database: str, owner: str, runtime: str) -> None:
    """On the cluster (an administrator's connection to any database): the service's database,
    owned by `owner`, reachable by `owner` and `runtime` only (and superusers)."""
    db, own, run = quote_ident(database), quote_ident(owner), quote_ident(runtime)
    if not await admin.fetchval(DATABASE_EXISTS, database):
        await admin.execute(f"CREATE DATABASE {db} OWNER {own}")
    await admin.execute(f"ALTER DATABASE {db} OWNER TO {own}")
    await admin.execute(f"REVOKE ALL ON DATABASE {db} FROM PUBLIC")
    await admin.execute(f"GRANT CONNECT ON DATABASE {db} TO {run}")


async def adopt_objects(admin_in_database: Connection, owner: str) -> None:
    """In the service's database (an administrator's connection to it): what an earlier run
    made as another role becomes the owner's, so its migrations and grants may act on it."""
    own = quote_ident(owner)
    await admin_in_database.execute(f"ALTER SCHEMA public OWNER TO {own}")
    await admin_in_database.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
    for row in await admin_in_database.fetch(FOREIGN_OWNED, owner):
        await admin_in_database.execute(f"ALTER {row['kind']} {row['name']} OWNER TO {own}")


async def grant_runtime(owner: Connection, runtime: str) -> list[str]:
    """As the owner, after migrations: the runtime role's rights on every table now there.
    Returns the append-only tables, on which it may only INSERT and SELECT."""
    run = quote_ident(runtime)
    append_only = [r["relname"] for r in await owner.fetch(APPEND_ONLY_TABLES)]
    async with owner.transaction():
        await owner.execute(GRANTS_LOCK)
        await owner.execute(f"GRANT USAGE ON SCHEMA public TO {run}")
        await owner.execute(
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {run}"
        )
        await owner.execute(
            f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM {run}"
        )
        await owner.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {run}")
        await owner.execute(f"REVOKE ALL ON schema_migrations FROM {run}")
        for table in append_only:
            await owner.execute(f"REVOKE UPDATE, DELETE ON {quote_ident(table)} FROM {run}")
    return append_only
