"""Demo data for the development network, loaded through the public API like any client would."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from warmlink.auth import Role
from warmlink.tokens import issue_token

DEMO = Path(__file__).resolve().parents[2] / "deploy" / "demo" / "organizations.json"


def demo_organizations() -> list[dict[str, str]]:
    data: list[dict[str, str]] = json.loads(DEMO.read_text())
    return data


def seed_organizations(directory_url: str, signing_key: Path) -> int:
    token = issue_token(signing_key.read_bytes(), organization_id="network-admin", role=Role.ADMIN)
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=directory_url, headers=headers, timeout=10) as client:
        for org in demo_organizations():
            body = {"name": org["name"], "kind": org["kind"]}
            client.put(f"/v1/organizations/{org['id']}", json=body).raise_for_status()
    return len(demo_organizations())
