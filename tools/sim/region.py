"""The region as the directory API shows it: referring sites, practices and their services."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tools.sim.api import Api
from tools.sim.handoffs import Site
from warmlink.auth import Role

SETTINGS = ("hospital", "ob", "pediatric", "iop_php")


@dataclass(frozen=True)
class PracticeService:
    id: str
    modalities: list[str]
    stale: bool  # nobody has confirmed its capacity recently


@dataclass(frozen=True)
class Practice:
    id: str
    services: dict[str, PracticeService]


@dataclass
class Region:
    sites: list[Site] = field(default_factory=list)
    practices: dict[str, Practice] = field(default_factory=dict)
    plans: list[str] = field(default_factory=list)


class RegionUnavailable(Exception):
    pass


async def load_region(api: Api, admin_org: str) -> Region:
    orgs = await api.call(
        "directory organizations", "directory", "GET", "/v1/organizations",
        org=admin_org, role=Role.ADMIN,
    )  # fmt: skip
    if not orgs:
        why = api.last_error or "an empty list"
        raise RegionUnavailable(f"the directory at {api.urls.directory} answered {why}")
    region, plans = Region(), set()
    for org in orgs:
        if org["status"] != "active" or org["kind"] not in (*SETTINGS, "practice"):
            continue
        listing = await api.call(
            "directory listing", "directory", "GET", f"/v1/organizations/{org['id']}/listing",
            org=admin_org, role=Role.ADMIN,
        )  # fmt: skip
        if listing is None:
            continue
        if org["kind"] == "practice":
            region.practices[org["id"]] = _practice(listing)
            plans |= {p for s in listing["services"] for p in s["coverage"]["insurance_plans"]}
        elif listing["locations"]:
            where = listing["locations"][0]
            region.sites.append(Site(org["id"], org["kind"], where["latitude"], where["longitude"]))
    region.plans = sorted(plans)
    if not region.sites or not region.practices:
        raise RegionUnavailable("the directory has no referring sites or no practices: seed it")
    return region


def _practice(listing: dict[str, Any]) -> Practice:
    services = {
        s["id"]: PracticeService(
            s["id"], s["modalities"], stale=s.get("capacity_freshness") != "fresh"
        )
        for s in listing["services"]
    }
    return Practice(listing["id"], services)
