"""The demo region's people: the portal's client at the directory, one person per role in one
organization of each kind, and a coordinator in every other organization (so that whichever
site or practice the simulator's traffic reaches has someone whose screens it fills and whom its
alerts reach), written to `<state>/people.json` (mode 0600) so that anyone can sign in as each
role (docs/operations.md). Everything goes through the services' HTTP APIs."""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

import httpx

from tools.dev.region import DEFAULT_REGION
from tools.dev.seed import _check, _token
from warmlink.auth import Role
from warmlink.roles import PERSON_ROLES, PersonRole

# One organization of each kind in deploy/demo/region.json, by access role.
DEMO_PEOPLE_ORGS = {
    Role.CLINIC: ["st-mary-ld", "riverside-ob", "maple-pediatrics", "harbor-iop"],
    Role.PRACTICE: ["bloom-therapy"],
    Role.ADMIN: ["network-admin"],
}
# Every other organization of the region gets its coordinator: the person who works the inbox
# (a practice) or the coordination console (a site).
PRACTICE_KIND, NETWORK_KIND = "practice", "network"
COORDINATOR_OF = {
    Role.PRACTICE: PersonRole.INTAKE_COORDINATOR,
    Role.CLINIC: PersonRole.SITE_COORDINATOR,
}
ROLE_ORDER = list(PERSON_ROLES[Role.CLINIC]) + list(PERSON_ROLES[Role.PRACTICE])


def _write_private(path: Path, content: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.chmod(0o600)
    path.write_text(json.dumps(content, indent=2))
    return path


def create_portal_client(
    directory_url: str, signing_key: Path, state_dir: Path, network_org: str = "network-admin"
) -> Path:
    """The portal's client (one that acts for people), once: `<state>/portal-client.json`."""
    path = state_dir / "portal-client.json"
    if path.exists():
        return path
    admin = _token(signing_key, network_org, Role.ADMIN)
    response = httpx.post(
        f"{directory_url}/v1/organizations/{network_org}/clients",
        json={"acts_for_people": True},
        headers=admin,
        timeout=20,
    )
    _check(response)
    return _write_private(path, response.json())


def email_for(org: str, role: str) -> str:
    return f"{role.replace('_', '-')}@{org}.example.org"


def add_person(
    portal_url: str,
    signing_key: Path,
    org: str,
    role: str,
    password: str | None = None,
    email: str | None = None,
) -> dict[str, Any]:
    """One account through the portal's people API: organization, role, email, password and
    TOTP secret (what a person needs to sign in)."""
    password = password or secrets.token_urlsafe(12)
    body = {"organization_id": org, "role": role, "email": email or email_for(org, role)}
    response = httpx.post(
        f"{portal_url}/v1/people",
        json=body | {"password": password},
        headers=_token(signing_key, "network-admin", Role.ADMIN),
        timeout=20,
    )
    _check(response)
    added = response.json()
    return body | {"password": password, "totp_secret": added["totp_secret"], "id": added["id"]}


def provision_people(portal_url: str, signing_key: Path, state_dir: Path) -> Path:
    """`<state>/people.json`, once: a person per role in each of DEMO_PEOPLE_ORGS."""
    path = state_dir / "people.json"
    if path.exists():
        return path
    people = [
        add_person(portal_url, signing_key, org, str(role))
        for access, orgs in DEMO_PEOPLE_ORGS.items()
        for org in orgs
        for role in sorted(PERSON_ROLES[access])
    ]
    people += [
        add_person(portal_url, signing_key, org, str(COORDINATOR_OF[access]))
        for org, access in coordinated_organizations(DEFAULT_REGION)
    ]
    return _write_private(path, people)


def coordinated_organizations(region: Path) -> list[tuple[str, Role]]:
    """The region's sites and practices that DEMO_PEOPLE_ORGS leaves out, with their access
    role (the network's own organization has its people already)."""
    shown = {org for orgs in DEMO_PEOPLE_ORGS.values() for org in orgs}
    organizations = json.loads(region.read_text())["organizations"]
    return [
        (o["id"], Role.PRACTICE if o["kind"] == PRACTICE_KIND else Role.CLINIC)
        for o in organizations
        if o["id"] not in shown and o["kind"] != NETWORK_KIND
    ]
