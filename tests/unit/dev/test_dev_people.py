"""The demo region's people: besides one person per role in one organization of each kind, every
other site and practice has its coordinator, so the simulator's traffic reaches someone."""

from __future__ import annotations

import json

from tools.dev.people import DEMO_PEOPLE_ORGS, coordinated_organizations
from tools.dev.region import DEFAULT_REGION
from warmlink.auth import Role


def test_every_other_site_and_practice_has_its_coordinator() -> None:
    organizations = json.loads(DEFAULT_REGION.read_text())["organizations"]
    kinds = {o["id"]: o["kind"] for o in organizations}
    shown = {org for orgs in DEMO_PEOPLE_ORGS.values() for org in orgs}

    coordinated = dict(coordinated_organizations(DEFAULT_REGION))

    sites_and_practices = {org for org, kind in kinds.items() if kind != "network"}
    assert set(coordinated) | (shown & sites_and_practices) == sites_and_practices
    assert not set(coordinated) & shown, "an organization of DEMO_PEOPLE_ORGS is not added twice"
    for org, access in coordinated.items():
        assert access is (Role.PRACTICE if kinds[org] == "practice" else Role.CLINIC), org
    assert Role.PRACTICE in coordinated.values() and Role.CLINIC in coordinated.values()
