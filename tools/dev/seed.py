"""Demo data for the development network, loaded through the public API like any client would.

Capacity the region marks as verified long ago must look old, so stale capacity shows up as stale:
`warmlink dev` sends each capacity's `verified_at` with it, which a directory honours only when it
runs with environment=development. Tools reach the directory's data through its API only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from warmlink.auth import Role
from warmlink.tokens import issue_token

REGION = Path(__file__).resolve().parents[2] / "deploy" / "demo" / "region.json"
CAPACITY_FIELDS = (
    "available",
    "maximum",
    "next_available_intake",
    "accepting_new_patients",
    "waitlist_length",
)


@dataclass(frozen=True)
class Seeded:
    organizations: int
    services: int
    clients_file: Path | None


def region_bodies(now: datetime) -> list[dict[str, Any]]:
    """The demo region as API bodies (the directory's own loader validates it first)."""
    from services.directory.entrypoints.listing_views import plain
    from tools.dev.region import load_region

    return [plain(org) for org in load_region(REGION, now=now)]


def _token(signing_key: Path, org: str, role: Role) -> dict[str, str]:
    token = issue_token(signing_key.read_bytes(), organization_id=org, role=role)
    return {"Authorization": f"Bearer {token}"}


def _check(response: httpx.Response) -> None:
    if response.is_error:
        raise RuntimeError(f"seeding failed: {response.request.url.path}: {response.text}")


def seed_region(
    directory_url: str,
    signing_key: Path,
    state_dir: Path | None = None,
    *,
    as_verified: bool = False,
) -> Seeded:
    """`as_verified` sends the region's verification times with each capacity (a development
    directory only; any other answers 422); without it capacity is verified as it is seeded."""
    now = datetime.now(UTC)
    admin = _token(signing_key, "network-admin", Role.ADMIN)
    orgs, services = region_bodies(now), 0
    with httpx.Client(base_url=directory_url, timeout=20) as client:
        for org in orgs:
            keys = ("name", "kind", "practice_type", "description", "website", "phone")
            body = {k: org[k] for k in keys if org.get(k) is not None}
            _check(client.put(f"/v1/organizations/{org['id']}", json=body, headers=admin))
            own = _token(signing_key, org["id"], Role.PRACTICE)
            for loc in org["locations"]:
                loc_body = {k: v for k, v in loc.items() if k != "id"}
                path = f"/v1/organizations/{org['id']}/locations/{loc['id']}"
                _check(client.put(path, json=loc_body, headers=own))
            for svc in org["services"]:
                _put_service(client, org["id"], svc, own, as_verified)
                services += 1
        clients_file = _write_clients(client, orgs, admin, state_dir) if state_dir else None
    return Seeded(len(orgs), services, clients_file)


def _put_service(
    client: httpx.Client, org_id: str, svc: dict[str, Any], own: dict[str, str], as_verified: bool
) -> None:
    capacity = svc.pop("capacity")
    coverage = svc.pop("coverage")
    body = {k: v for k, v in svc.items() if k not in ("id", "organization_id")} | coverage
    _check(client.put(f"/v1/organizations/{org_id}/services/{svc['id']}", json=body, headers=own))
    if capacity is not None:
        cap = {k: capacity[k] for k in CAPACITY_FIELDS}
        if as_verified:
            cap["verified_at"] = capacity["verified_at"]
        _check(client.put(f"/v1/services/{svc['id']}/capacity", json=cap, headers=own))
        svc["capacity"] = capacity


def _write_clients(
    client: httpx.Client, orgs: list[dict[str, Any]], admin: dict[str, str], state_dir: Path
) -> Path:
    """Client credentials for every demo organization, once (the secrets are shown only once)."""
    path = state_dir / "clients.json"
    if path.exists():
        return path
    credentials = {}
    for org in orgs:
        response = client.post(f"/v1/organizations/{org['id']}/clients", headers=admin)
        _check(response)
        credentials[org["id"]] = response.json()
    path.write_text(json.dumps(credentials, indent=2))
    path.chmod(0o600)
    return path
