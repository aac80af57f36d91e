"""Making a service's owner and runtime roles (warmlink.db_roles) from an administrator's URL:
used by the development stack at start, the end-to-end tests' networks and `warmlink db roles`."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from warmlink.db_roles import adopt_objects, ensure_role, provision_database


@dataclass(frozen=True)
class ServiceRoles:
    owner_url: str  # <PREFIX>MIGRATION_DATABASE_URL
    runtime_url: str  # <PREFIX>DATABASE_URL


def url_as(admin_url: str, role: str, database: str, password: str | None = None) -> str:
    """`admin_url`'s server, as `role` (with `password`), on `database`."""
    parts = urlsplit(admin_url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    user = f"{role}:{password}" if password else role
    return urlunsplit((parts.scheme, f"{user}@{host}", f"/{database}", parts.query, ""))


async def provision_service(
    admin_url: str,
    database: str,
    owner: str,
    runtime: str,
    passwords: tuple[str | None, str | None] = (None, None),
) -> ServiceRoles:
    """The roles, the database owned by `owner` (created when missing) and reachable by `owner`
    and `runtime` only, and anything in it owned by someone else handed to `owner`."""
    admin = await asyncpg.connect(admin_url)
    try:
        await ensure_role(admin, owner, passwords[0])
        await ensure_role(admin, runtime, passwords[1])
        await provision_database(admin, database, owner, runtime)
    finally:
        await admin.close()
    admin_role = urlsplit(admin_url)
    inside = await asyncpg.connect(
        url_as(admin_url, admin_role.username or "", database, admin_role.password)
    )
    try:
        await adopt_objects(inside, owner)
    finally:
        await inside.close()
    return ServiceRoles(
        url_as(admin_url, owner, database, passwords[0]),
        url_as(admin_url, runtime, database, passwords[1]),
    )


def provision_all(admin_url: str, databases: dict[str, str]) -> dict[str, ServiceRoles]:
    """{service: database} -> each service's roles, named after its database (`<db>_owner`,
    `<db>_app`): roles belong to the whole server, databases do not."""

    async def all_of_them() -> dict[str, ServiceRoles]:
        return {
            service: await provision_service(admin_url, db, f"{db}_owner", f"{db}_app")
            for service, db in databases.items()
        }

    return asyncio.run(all_of_them())
