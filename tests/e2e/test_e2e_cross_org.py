"""Nobody reads or changes another organization's records: a matrix generated from the routes.

A site records a positive screen, refers her to a practice, which declines, and the site
redirects the referral to another practice; it also subscribes to its referrals' events. Then
every route of every service (walked from each application's routes, so a new route is in the
matrix without editing this test) is called with those records' ids, by callers who must get
nothing: no token; another site; another practice; the practice the referral was taken from
(the former practice after the redirect); and, with the wrong role, the site on a route only
practices may use and the current practice on a route only sites may use. A route whose path
names one of those records must answer 401, 403 or 404 (or 422 for a request refused before
any record is looked up), the wrong roles 403; a route that names none (a list, a creation) may
answer the caller's own data, but never a byte of the records' ids or the patient's reference.
Routes outside the matrix are listed below, each with why.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute, iter_route_contexts

from tests.e2e.conftest import Network, whole_network
from tests.e2e.test_e2e_referral_lifecycle import body
from tests.e2e.test_e2e_screen_to_worklist import phq9
from tests.support import fuzz
from tests.support.infra import Infrastructure
from tests.support.waiting import eventually
from tools.dev import openapi as documents
from tools.dev.seed import region_bodies
from warmlink.auth import Role

SITE, OTHER_SITE = "riverside-ob", "cedar-heights-obgyn"
FORMER, OTHER_PRACTICE = "bloom-therapy", "new-leaf-therapy"
PATIENT_REF = "pt-matrix-7f3a"
FORMER_TOO = "north-star-family-therapy"  # another practice, should the redirect pick new-leaf
# Refused: not signed, not allowed, or not there (another organization's is not told apart). A
# request that is itself invalid is refused first (422), before any record is looked up.
REFUSED = {401, 403, 404, 422}
# Routes that name a record of the site's and answer anyone signed in, and why.
SHARED = {
    "GET /v1/organizations/{org_id}/listing": "the network's directory listing: public by design",
}

# Routes outside the matrix, and why. Every other route of every application is in it.
OUTSIDE = {
    # Public by design: probes, the API documents, the keys tokens are checked against, and
    # the token endpoint (client credentials in the body; its own tests refuse bad ones).
    "GET /health": "liveness probe: the service's name only",
    "GET /ready": "readiness probe: the service's name and its failed parts only",
    "GET /openapi.json": "the API document (public, committed in contracts/openapi/)",
    "GET /docs": "the API document's page",
    "GET /docs/oauth2-redirect": "the API document page's sign-in helper",
    "GET /redoc": "the API document's page",
    "GET /.well-known/jwks.json": "the network's public keys (and suspended organizations)",
    "GET /fhir/metadata": "the FHIR CapabilityStatement: what the server offers, as FHIR requires",
    "POST /oauth/token": "client credentials in, a token out: test_e2e_identity refuses bad ones",
}
# The portal's pages are signed in with a session cookie, not a bearer token; they call the
# APIs in this matrix with the person's token, so her organization's limits are these.
# tests/e2e/test_e2e_portal*.py check the pages themselves. The follow-up dashboard's page is
# static (its data comes from the metrics API, in the matrix).
PAGES = {"portal": "session-signed pages", "followup": "the dashboard's static page"}


@dataclass
class Records:
    """The site's records, and what must never reach another organization's caller."""

    ids: dict[str, str]  # path parameter name -> the site's (or current practice's) record

    @property
    def secrets(self) -> list[str]:
        owned = ("screening_id", "referral_id", "subscription_id")
        return [self.ids[name] for name in owned] + [PATIENT_REF]


@pytest.fixture(scope="module")
def net(infra: Infrastructure) -> Iterator[Network]:
    with whole_network(infra, {"WEBHOOK_ALLOW_PRIVATE": "true"}) as running:
        yield running


@pytest.fixture(scope="module")
def records(net: Network) -> Records:
    return asyncio.run(_make_records(net))


async def _make_records(net: Network) -> Records:
    site = net.auth(SITE)
    async with httpx.AsyncClient(timeout=30) as http:
        screen = await http.post(
            f"{net.url('screening')}/v1/screenings", json=phq9(PATIENT_REF, [3] * 9), headers=site
        )
        assert screen.status_code == 201, screen.text
        sid = screen.json()["id"]
        referral = net.url("referral")

        async def on_worklist() -> int:
            return (await http.get(f"{referral}/v1/worklist/{sid}", headers=site)).status_code

        await eventually(on_worklist, until=lambda s: s == 200, what="the worklist item")
        made = await http.post(
            f"{referral}/v1/referrals",
            json=body(screening_id=sid, patient_ref=PATIENT_REF),
            headers=site | {"Idempotency-Key": "matrix-1"},
        )
        assert made.status_code == 201, made.text
        rid = made.json()["id"]
        declined = await http.post(
            f"{referral}/v1/intake/{rid}/decline",
            json={"reason": "no_capacity"},
            headers=net.auth(FORMER, Role.PRACTICE),
        )
        assert declined.status_code == 200, declined.text
        found = await http.get(f"{referral}/v1/referrals/{rid}/next-matches", headers=site)
        target = found.json()["matches"][0]
        moved = await http.post(
            f"{referral}/v1/referrals/{rid}/redirect",
            json={"practice_id": target["organization_id"], "service_id": target["service_id"]},
            headers=site,
        )
        assert moved.status_code == 200, moved.text
        subscribed = await http.post(
            f"{referral}/v1/subscriptions",
            json={"url": "https://127.0.0.1:9/hook"},
            headers=site,
        )
        assert subscribed.status_code == 201, subscribed.text
        tasks = await http.get(f"{net.url('followup')}/v1/tasks", headers=site)
    ids = {
        "screening_id": sid,
        "referral_id": rid,
        "subscription_id": subscribed.json()["id"],
        "org_id": SITE,
        "service_id": target["service_id"],
        "location_id": _first_location(SITE),
        "event_number": "1",
        "task_id": next((t["id"] for t in tasks.json().get("items", [])), str(uuid.uuid4())),
    }
    return Records(ids | {"current_practice": target["organization_id"]})


def _first_location(org_id: str) -> str:
    org = next(o for o in region_bodies(datetime.now(UTC)) if o["id"] == org_id)
    location: str = org["locations"][0]["id"]
    return location


@dataclass(frozen=True)
class Caller:
    name: str
    headers: dict[str, str]
    role: Role | None  # None: no token
    wrong_role_only: bool = False  # a party to the records, refused only where its role is


def callers(net: Network, records: Records) -> list[Caller]:
    current = records.ids["current_practice"]
    other_practice = OTHER_PRACTICE if current != OTHER_PRACTICE else FORMER_TOO
    return [
        Caller("no token", {}, None),
        Caller("another site", net.auth(OTHER_SITE, Role.CLINIC), Role.CLINIC),
        Caller("another practice", net.auth(other_practice, Role.PRACTICE), Role.PRACTICE),
        Caller("the former practice", net.auth(FORMER, Role.PRACTICE), Role.PRACTICE),
        # The site and the current practice on each other's routes: the right records, the
        # wrong role (the directory issues no token with another role for an organization).
        Caller("the site, on a practice's route", net.auth(SITE, Role.CLINIC), Role.CLINIC, True),
        Caller(
            "the current practice, on a site's route",
            net.auth(current, Role.PRACTICE),
            Role.PRACTICE,
            True,
        ),
    ]


@dataclass(frozen=True)
class RouteInfo:
    documented: bool
    roles: frozenset[Role] | None  # the roles `require_role` admits; None: any caller's


def routes(service: str) -> dict[str, RouteInfo]:
    """Every route of the service's application, by label: whether its document shows it, and
    the roles it admits."""
    app = importlib.import_module(f"services.{service}.bootstrap").build_app()
    found = {}
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        documented = isinstance(route, APIRoute) and bool(context.include_in_schema)
        roles = _admitted(route.dependant) if isinstance(route, APIRoute) else None
        for method in sorted(getattr(context, "methods", None) or {"GET"}):
            if method != "HEAD":
                found[f"{method} {context.path_format}"] = RouteInfo(documented, roles)
    return found


def _admitted(dependant: Any) -> frozenset[Role] | None:
    """The roles of the route's `warmlink.auth.require_role` dependency, read from its closure."""
    for dependency in dependant.dependencies:
        call = dependency.call
        if getattr(call, "__qualname__", "") == "require_role.<locals>.check":
            return frozenset(inspect.getclosurevars(call).nonlocals["roles"])
        found = _admitted(dependency)
        if found is not None:
            return found
    return None


def expected(caller: Caller, info: RouteInfo, scoped: bool) -> set[int] | None:
    """What `caller` may be answered on a route: None when any answer without the records is
    right (a route naming none of them, or a party to them whose role the route admits)."""
    if caller.role is None:
        return {401}
    if caller.wrong_role_only:
        return {403} if info.roles is not None and caller.role not in info.roles else None
    return REFUSED if scoped else None


@pytest.mark.parametrize("service", documents.SERVICES)
def test_no_route_gives_another_organization_the_sites_records(
    net: Network, records: Records, service: str
) -> None:
    document = fuzz.operations(documents.FOLDER / f"{service}.json", net.url(service))
    who = callers(net, records)
    wrong, calls = [], 0
    for label, info in routes(service).items():
        if label in OUTSIDE:
            continue
        if not info.documented:
            assert service in PAGES, f"{label}: in no document and not listed as outside"
            continue
        case = fuzz.one_case(document[label])
        named = set(case.path_parameters or {}) & set(records.ids)
        case.path_parameters = (case.path_parameters or {}) | {
            name: records.ids[name] for name in named
        }
        scoped = bool(named - {"event_number"}) and label not in SHARED
        for caller in who:
            allowed = expected(caller, info, scoped)
            if allowed is None and caller.wrong_role_only:
                continue  # a party to the records, on a route for its role: its own data
            response = case.call(headers=caller.headers, timeout=30)
            calls += 1
            status = response.status_code
            # A refusal may name the id it was asked about; an answer must not carry any.
            leaked = status < 400 and any(s in response.text for s in records.secrets)
            if leaked or status >= 500 or (allowed is not None and status not in allowed):
                wrong.append(f"{label} as {caller.name}: {status} {response.text[:160]}")
    print(f"{service}: {calls} calls")
    assert wrong == [], "\n".join(wrong)
    assert calls > 0
