"""Every read and write of patient data is audited with the person who made it.

The services' routes are read from their own OpenAPI documents (routes left out of them, such
as the dashboard's page and assets, serve no data): each is listed here either as a
route of patient data (with the record its audit row names) or as one that carries none (with
why). A new route in neither list fails the first test, so it cannot ship unaudited by oversight.
The second calls every route of patient data with a person's token (as the portal does) and
finds the audit row naming her, her role, the portal's client and the record; a list read leaves
one row per record listed. A machine client's calls (an EHR's) still name the client.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest

from services.referral.workers.patient_confirmations import SYSTEM as SENDER
from tests.e2e.conftest import Network
from tests.e2e.redirect_support import redirecting_network
from tests.e2e.test_e2e_referral_lifecycle import PRACTICE, SITE, body
from tests.e2e.test_e2e_screen_to_worklist import phq9
from tests.support.infra import Infrastructure
from tests.support.smtp import smtp_server
from tests.support.waiting import eventually
from warmlink.audit_chain import verify_chain
from warmlink.auth import PersonRole, Role
from warmlink.db_roles import role_of

PORTAL_CLIENT = "portal-client-test"
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
AUDITING = ("screening", "referral")

# Route -> the record type its audit row names (the record id is the route's referral or screen).
PHI_ROUTES: dict[tuple[str, str, str], str] = {
    ("screening", "POST", "/v1/screenings"): "screening",
    ("screening", "POST", "/v1/screenings/questionnaire-response"): "screening",
    ("screening", "GET", "/v1/screenings/{screening_id}"): "screening",
    ("referral", "GET", "/v1/worklist"): "worklist_item",
    ("referral", "GET", "/v1/worklist/{screening_id}"): "worklist_item",
    ("referral", "POST", "/v1/worklist/{screening_id}/safety-assessment"): "worklist_item",
    ("referral", "POST", "/v1/worklist/{screening_id}/close"): "worklist_item",
    ("referral", "POST", "/v1/referrals"): "referral_patient",
    ("referral", "GET", "/v1/referrals"): "referral",
    ("referral", "GET", "/v1/referrals/{referral_id}"): "referral_patient",
    ("referral", "POST", "/v1/referrals/{referral_id}/patient-message"): "referral_patient",
    ("referral", "GET", "/v1/referrals/{referral_id}/timeline"): "referral",
    ("referral", "GET", "/v1/referrals/{referral_id}/next-matches"): "referral",
    ("referral", "POST", "/v1/referrals/{referral_id}/cancel"): "referral",
    ("referral", "POST", "/v1/referrals/{referral_id}/redirect"): "referral",
    ("referral", "POST", "/v1/referrals/{referral_id}/redirect-proposal/decline"): "referral",
    ("referral", "POST", "/v1/referrals/{referral_id}/provider-confirmation"): "referral",
    ("referral", "PUT", "/v1/referrals/{referral_id}/planned-discharge"): "referral",
    ("referral", "PUT", "/v1/referrals/{referral_id}/discharge-summary"): (
        "referral_discharge_summary"
    ),
    ("referral", "GET", "/v1/intake/{referral_id}/discharge-summary"): (
        "referral_discharge_summary"
    ),
    ("referral", "GET", "/v1/referrals/{referral_id}/messages"): "referral_messages",
    ("referral", "POST", "/v1/referrals/{referral_id}/messages"): "referral_messages",
    ("referral", "GET", "/v1/intake"): "referral",
    ("referral", "POST", "/v1/intake/{referral_id}/acknowledge"): "referral",
    ("referral", "POST", "/v1/intake/{referral_id}/contact-attempts"): "referral",
    ("referral", "POST", "/v1/intake/{referral_id}/schedule"): "referral_appointment",
    ("referral", "POST", "/v1/intake/{referral_id}/attended"): "referral",
    ("referral", "POST", "/v1/intake/{referral_id}/missed"): "referral",
    ("referral", "POST", "/v1/intake/{referral_id}/cancel-appointment"): "referral",
    ("referral", "POST", "/v1/intake/{referral_id}/decline"): "referral",
    ("referral", "POST", "/v1/intake/{referral_id}/close"): "referral",
    ("referral", "GET", "/fhir/Task/{referral_id}"): "referral",
    ("referral", "GET", "/fhir/ServiceRequest/{referral_id}"): "referral",
    ("referral", "GET", "/fhir/Task"): "referral",
}

_TRAIL = "who read or wrote a record: ids, roles and times, no patient data"
_NOTICES = "ids, statuses, codes and times of the subscriber's referrals (docs/api.md), no PHI"
_MEASURES = "de-identified counts and medians (no patient_ref)"
# Routes that carry no patient data, and why.
NOT_PHI: dict[tuple[str, str, str], str] = {
    ("screening", "GET", "/v1/screenings/{screening_id}/access"): _TRAIL,
    ("referral", "GET", "/v1/referrals/{referral_id}/access"): _TRAIL,
    ("referral", "GET", "/fhir/metadata"): "the FHIR server's CapabilityStatement: what it serves",
    ("referral", "GET", "/v1/referrals/{referral_id}/patient-message"): (
        "the words written for her: the practice, its number, the crisis lines; nothing of hers"
    ),
    ("referral", "GET", "/v1/referrals/{referral_id}/patient-messages"): (
        "her messages' kind, channel, delivery state and times; never an address or content"
    ),
    ("referral", "GET", "/v1/patient-status/{token_sha256}"): (
        "her status page for the portal's own client (no person): the practice's name, a status "
        "key, the booked appointment, her language; no name, no clinical detail. Each opening is "
        "audited as actor patient-status-link (tests/e2e/test_e2e_patient_status_page.py)"
    ),
    ("referral", "POST", "/v1/subscriptions"): "a webhook's address and filters",
    ("referral", "GET", "/v1/subscriptions"): "the organization's webhooks",
    ("referral", "GET", "/v1/subscriptions/{subscription_id}"): "one webhook",
    ("referral", "DELETE", "/v1/subscriptions/{subscription_id}"): "one webhook",
    # The same webhooks in the FHIR R4 Backport shape: an address, a topic, a filter by the
    # caller's own organization; their notifications carry Task ids only (id-only).
    ("referral", "POST", "/fhir/Subscription"): "a FHIR Subscription's address and topic",
    ("referral", "GET", "/fhir/Subscription/{subscription_id}"): "one FHIR Subscription",
    ("referral", "DELETE", "/fhir/Subscription/{subscription_id}"): "one FHIR Subscription",
    ("referral", "GET", "/fhir/Subscription/{subscription_id}/$status"): "its delivery counts",
    ("referral", "POST", "/v1/subscriptions/{subscription_id}/rotate-secret"): "its secret",
    ("referral", "GET", "/v1/subscriptions/{subscription_id}/events"): _NOTICES,
    ("referral", "POST", "/v1/subscriptions/{subscription_id}/events/{event_number}/redeliver"): (
        _NOTICES
    ),
    ("referral", "GET", "/v1/subscriptions/{subscription_id}/deliveries"): "delivery attempts",
    ("referral", "GET", "/v1/subscriptions/{subscription_id}/stream"): _NOTICES,
    ("followup", "GET", "/v1/tasks"): "task ids, kinds, referral or screening ids, codes, times",
    ("followup", "GET", "/v1/tasks/{task_id}"): "the same, for one task",
    ("followup", "POST", "/v1/tasks/{task_id}/complete"): (
        "a coded outcome, barrier and what was tried"
    ),
    ("followup", "GET", "/v1/screen-clocks"): "screening ids and deadlines",
    ("followup", "GET", "/v1/invariant"): "ids and codes of unwatched subjects",
    ("followup", "GET", "/v1/metrics"): _MEASURES,
    ("followup", "GET", "/v1/metrics/sla-breaches"): _MEASURES,
    ("followup", "GET", "/v1/reports/monthly"): _MEASURES,
    ("followup", "GET", "/v1/capacity"): "the directory's open slots",
    ("followup", "GET", "/v1/capacity/freshness"): "listings' confirmation times, practice ids",
    ("directory", "POST", "/oauth/token"): "tokens for clients and people (no patient)",
    ("directory", "GET", "/.well-known/jwks.json"): "public keys",
    ("directory", "POST", "/v1/signing-keys/rotate"): "a new key id",
    ("directory", "PUT", "/v1/organizations/{org_id}"): "an organization",
    ("directory", "GET", "/v1/organizations"): "organizations",
    ("directory", "POST", "/v1/organizations/{org_id}/suspend"): "an organization",
    ("directory", "POST", "/v1/organizations/{org_id}/reactivate"): "an organization",
    ("directory", "POST", "/v1/organizations/{org_id}/clients"): "a client credential",
    ("directory", "PUT", "/v1/organizations/{org_id}/locations/{location_id}"): "a listing",
    ("directory", "PUT", "/v1/organizations/{org_id}/services/{service_id}"): "a listing",
    ("directory", "PUT", "/v1/services/{service_id}/capacity"): "a listing's capacity",
    ("directory", "GET", "/v1/organizations/{org_id}/listing"): "a listing",
    ("directory", "GET", "/v1/matches"): "practices for criteria the caller sends, none stored",
    ("directory", "GET", "/v1/organizations/{org_id}/preferred-practices"): "a site's partners",
    ("directory", "PUT", "/v1/organizations/{org_id}/preferred-practices"): "a site's partners",
    ("directory", "GET", "/v1/hsds"): "the directory's HSDS export",
    ("directory", "GET", "/v1/hsds/services"): "the directory's HSDS export",
    ("directory", "GET", "/v1/hsds/services/{id}"): "the directory's HSDS export",
    ("directory", "GET", "/v1/hsds/organizations"): "the directory's HSDS export",
    ("directory", "GET", "/v1/hsds/organizations/{id}"): "the directory's HSDS export",
    ("directory", "GET", "/v1/hsds/taxonomies"): "the directory's HSDS export",
    ("directory", "GET", "/v1/hsds/taxonomy_terms"): "the directory's HSDS export",
}
# Every service's own: health, readiness, Prometheus metrics (counts), who a token is.
EVERYWHERE = {("GET", "/health"), ("GET", "/ready"), ("GET", "/metrics"), ("GET", "/v1/whoami")}


@pytest.fixture(scope="module")
def net(infra: Infrastructure) -> Iterator[Network]:
    # propose: a decline proposes the network's redirect, which the site may decline. Patients'
    # messages go to a real SMTP sink, so that "send to her phone" reads her contact.
    services = ("directory", "screening", "referral", "followup")
    with smtp_server() as (_, port):
        mail = {"NOTIFY_CHANNEL": "smtp", "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port)}
        with redirecting_network(infra, services, REDIRECT_POLICY="propose", **mail) as network:
            yield network


@dataclass(frozen=True)
class Person:
    id: str
    organization_id: str
    role: Role
    person_role: PersonRole

    @property
    def actor(self) -> str:
        return f"person:{self.id}"

    def headers(self, net: Network) -> dict[str, str]:
        person = (self.id, self.person_role, PORTAL_CLIENT)
        return {
            "Authorization": "Bearer " + net.token(self.organization_id, self.role, person=person)
        }


def person(org: str, role: Role, person_role: PersonRole) -> Person:
    return Person(str(uuid.uuid4()), org, role, person_role)


async def _routes(net: Network, service: str) -> set[tuple[str, str, str]]:
    async with httpx.AsyncClient(base_url=net.url(service)) as client:
        document = (await client.get("/openapi.json")).json()
    return {
        (service, method.upper(), path)
        for path, operations in document["paths"].items()
        for method in operations
        if (method.upper(), path) not in EVERYWHERE
    }


async def test_every_route_is_listed_as_patient_data_or_not(net: Network) -> None:
    served: set[tuple[str, str, str]] = set()
    for service in ("screening", "referral", "followup", "directory"):
        served |= await _routes(net, service)
    listed = PHI_ROUTES.keys() | NOT_PHI.keys()
    assert served - listed == set(), "routes nobody said carry patient data or not"
    assert listed - served == set(), "listed routes the services no longer serve"
    assert PHI_ROUTES.keys().isdisjoint(NOT_PHI.keys())


class Trail:
    """The audit rows each service wrote since the last look."""

    def __init__(self, net: Network) -> None:
        self.net = net
        self.seen: dict[str, int] = {}
        self.called: set[tuple[str, str, str]] = set()

    async def mark(self) -> None:
        for service in AUDITING:
            rows = await self.net.query(service, "SELECT coalesce(max(id), 0) AS id FROM audit_log")
            self.seen[service] = rows[0]["id"]

    async def since(self, service: str) -> list[Any]:
        rows = await self.net.query(
            service, "SELECT * FROM audit_log WHERE id > $1 ORDER BY id", self.seen[service]
        )
        return rows


Records = set[str] | Callable[[httpx.Response], set[str]]


async def call(
    net: Network,
    trail: Trail,
    who: Person,
    route: tuple[str, str, str],
    path: str,
    records: Records,
    **request: Any,
) -> httpx.Response:
    """Call `route` at `path` as `who`: its audit rows of the route's record type name her and
    exactly `records` (or the records the answer shows), one row each."""
    service, method, _ = route
    await trail.mark()
    async with httpx.AsyncClient(base_url=net.url(service)) as client:
        headers = who.headers(net) | request.pop("headers", {})
        response = await client.request(method, path, headers=headers, **request)
    assert response.status_code < 300, (route, response.status_code, response.text)
    expected = records(response) if callable(records) else records
    # The confirmation sender's own reads (it opens her contact to mail her, as the service
    # itself) land when they land: the rows checked here are the request's.
    rows = [
        r
        for r in await trail.since(service)
        if r["record_type"] == PHI_ROUTES[route] and r["actor"] != SENDER.subject
    ]
    assert rows, f"{route} wrote no {PHI_ROUTES[route]} audit row"
    assert sorted(r["record_id"] for r in rows) == sorted(expected), route
    for r in rows:
        got = (r["actor"], r["organization_id"], r["role"], r["person_role"], r["acting_client"])
        want = (who.actor, who.organization_id, str(who.role), str(who.person_role), PORTAL_CLIENT)
        assert got == want, route
    trail.called.add(route)
    return response


def its_id(response: httpx.Response) -> set[str]:
    return {str(response.json()["id"])}


def listed(key: str) -> Callable[[httpx.Response], set[str]]:
    def ids(response: httpx.Response) -> set[str]:
        return {str(i[key]) for i in response.json()["items"]}

    return ids


def route(service: str, method: str, path: str) -> tuple[str, str, str]:
    assert (service, method, path) in PHI_ROUTES, path
    return service, method, path


async def submitted(net: Network, key: str, **overrides: Any) -> str:
    """A referral made by the site's EHR (a machine client), for the routes that follow it."""
    async with httpx.AsyncClient(base_url=net.url("referral")) as client:
        made = await client.post(
            "/v1/referrals",
            json=body(**overrides),
            headers=net.auth(SITE) | {"Idempotency-Key": key},
        )
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


async def practice_step(net: Network, rid: str, step: str, payload: object = None) -> None:
    async with httpx.AsyncClient(base_url=net.url("referral")) as client:
        moved = await client.post(
            f"/v1/intake/{rid}/{step}", json=payload, headers=net.auth(PRACTICE, Role.PRACTICE)
        )
    assert moved.status_code == 200, moved.text


async def on_worklist(net: Network, screening_id: str) -> None:
    async def item() -> int:
        async with httpx.AsyncClient(base_url=net.url("referral")) as client:
            return (
                await client.get(f"/v1/worklist/{screening_id}", headers=net.auth(SITE))
            ).status_code

    await eventually(item, until=lambda status: status == 200, what="the worklist item")


def booking(hours_ago: int) -> dict[str, str]:
    """An appointment in the past: attendance is recorded once its time has come."""
    at = datetime.now(UTC) - timedelta(hours=hours_ago)
    return {"appointment_at": at.isoformat(), "modality": "in_person", "location": "12 Elm St"}


async def test_every_read_and_write_of_patient_data_names_the_person(net: Network) -> None:
    trail = Trail(net)
    site = person(SITE, Role.CLINIC, PersonRole.CLINICIAN)
    practice = person(PRACTICE, Role.PRACTICE, PersonRole.INTAKE_COORDINATOR)

    # The screen, recorded by hand and from the EHR's FHIR resource; then the worklist.
    made = await call(
        net,
        trail,
        site,
        route("screening", "POST", "/v1/screenings"),
        "/v1/screenings",
        its_id,
        json=phq9("pt-audit-1", [3] * 9),
    )
    urgent = str(made.json()["id"])
    resource = {
        "resourceType": "QuestionnaireResponse",
        "status": "completed",
        "questionnaire": "http://loinc.org/q/44249-1",
        "authored": "2026-03-02T09:30:00-05:00",
        "item": [
            {"linkId": str(i + 1), "answer": [{"valueInteger": a}]}
            for i, a in enumerate([2, 2, 2, 2, 1, 1, 0, 0, 0])
        ],
    }
    fhir_route = route("screening", "POST", "/v1/screenings/questionnaire-response")
    made = await call(
        net,
        trail,
        site,
        fhir_route,
        fhir_route[2],
        its_id,
        json={"patient_ref": "pt-audit-2", "setting": "ob", "resource": resource},
    )
    routine = str(made.json()["id"])
    await call(
        net,
        trail,
        site,
        route("screening", "GET", "/v1/screenings/{screening_id}"),
        f"/v1/screenings/{urgent}",
        {urgent},
    )
    await on_worklist(net, urgent)
    await on_worklist(net, routine)
    shown = await call(
        net,
        trail,
        site,
        route("referral", "GET", "/v1/worklist"),
        "/v1/worklist",
        listed("screening_id"),
    )
    assert {urgent, routine} <= {i["screening_id"] for i in shown.json()["items"]}
    item = "/v1/worklist/{screening_id}"
    await call(net, trail, site, route("referral", "GET", item), f"/v1/worklist/{urgent}", {urgent})
    await call(
        net,
        trail,
        site,
        route("referral", "POST", item + "/safety-assessment"),
        f"/v1/worklist/{urgent}/safety-assessment",
        {urgent},
        json={"outcome": "no_current_risk"},
    )
    await call(
        net,
        trail,
        site,
        route("referral", "POST", item + "/close"),
        f"/v1/worklist/{routine}/close",
        {routine},
        json={"reason": "already_in_care"},
    )

    # A referral from the screen, read every way, then walked through intake to its close.
    made = await call(
        net,
        trail,
        site,
        route("referral", "POST", "/v1/referrals"),
        "/v1/referrals",
        its_id,
        json=body(screening_id=urgent, patient_ref="pt-audit-1"),
        headers={"Idempotency-Key": "audit-a"},
    )
    rid = str(made.json()["id"])
    one = "/v1/referrals/{referral_id}"
    for path in (
        one,
        one + "/timeline",
        "/fhir/Task/{referral_id}",
        "/fhir/ServiceRequest/{referral_id}",
    ):
        await call(
            net,
            trail,
            site,
            route("referral", "GET", path),
            path.replace("{referral_id}", rid),
            {rid},
        )
    await call(
        net,
        trail,
        site,
        route("referral", "GET", "/v1/referrals"),
        "/v1/referrals?patient_ref=pt-audit-1",
        listed("id"),
    )
    await call(
        net,
        trail,
        site,
        route("referral", "GET", "/fhir/Task"),
        f"/fhir/Task?_id={rid}",
        lambda found: {e["resource"]["id"] for e in found.json()["entry"]},
    )
    message = "/v1/referrals/{referral_id}/patient-message"
    await call(
        net,
        trail,
        site,
        route("referral", "POST", message),
        message.replace("{referral_id}", rid),
        {rid},
        headers={"Idempotency-Key": "audit-message"},
    )
    inbox = await call(
        net,
        trail,
        practice,
        route("referral", "GET", "/v1/intake"),
        "/v1/intake",
        listed("id"),
    )
    assert rid in {i["id"] for i in inbox.json()["items"]}
    steps: list[tuple[str, object]] = [
        ("acknowledge", None),
        ("contact-attempts", {"channel": "phone", "outcome": "reached"}),
        ("schedule", booking(3)),
        ("missed", None),
        ("schedule", booking(2)),
        ("cancel-appointment", {"cancelled_by": "patient", "reason": "rescheduled"}),
        ("schedule", booking(1)),
        ("attended", None),
        ("close", {"outcome": "in_care"}),
    ]
    for step, payload in steps:
        await call(
            net,
            trail,
            practice,
            route("referral", "POST", f"/v1/intake/{{referral_id}}/{step}"),
            f"/v1/intake/{rid}/{step}",
            {rid},
            json=payload,
        )

    # Declined: the network proposes its redirect, the site keeps it, then redirects it itself.
    declined = await submitted(net, "audit-b")
    await call(
        net,
        trail,
        practice,
        route("referral", "POST", "/v1/intake/{referral_id}/decline"),
        f"/v1/intake/{declined}/decline",
        {declined},
        json={"reason": "no_capacity"},
    )
    await call(
        net,
        trail,
        site,
        route("referral", "POST", one + "/redirect-proposal/decline"),
        f"/v1/referrals/{declined}/redirect-proposal/decline",
        {declined},
    )
    found = await call(
        net,
        trail,
        site,
        route("referral", "GET", one + "/next-matches"),
        f"/v1/referrals/{declined}/next-matches",
        {declined},
    )
    target = found.json()["matches"][0]
    await call(
        net,
        trail,
        site,
        route("referral", "POST", one + "/redirect"),
        f"/v1/referrals/{declined}/redirect",
        {declined},
        json={"practice_id": target["organization_id"], "service_id": target["service_id"]},
    )
    cancelled = await submitted(net, "audit-c")
    await call(
        net,
        trail,
        site,
        route("referral", "POST", one + "/cancel"),
        f"/v1/referrals/{cancelled}/cancel",
        {cancelled},
        json={"reason": "duplicate"},
    )

    # The IOP/PHP referral's document and confirmation; the hospital's moved discharge.
    iop = await submitted(net, "audit-d", setting="iop_php", last_iop_session_on="2031-05-09")
    await call(
        net,
        trail,
        site,
        route("referral", "PUT", one + "/discharge-summary"),
        f"/v1/referrals/{iop}/discharge-summary",
        {iop},
        content=PDF,
        headers={"Content-Type": "application/pdf"},
    )
    await call(
        net,
        trail,
        practice,
        route("referral", "GET", "/v1/intake/{referral_id}/discharge-summary"),
        f"/v1/intake/{iop}/discharge-summary",
        {iop},
    )
    await practice_step(net, iop, "acknowledge")
    await practice_step(net, iop, "schedule", booking(1))
    await call(
        net,
        trail,
        site,
        route("referral", "POST", one + "/provider-confirmation"),
        f"/v1/referrals/{iop}/provider-confirmation",
        {iop},
    )
    hospital = await submitted(
        net, "audit-e", setting="hospital", planned_discharge_at="2031-05-02T15:00:00+00:00"
    )
    await call(
        net,
        trail,
        site,
        route("referral", "PUT", one + "/planned-discharge"),
        f"/v1/referrals/{hospital}/planned-discharge",
        {hospital},
        json={"planned_discharge_at": "2031-05-04T15:00:00+00:00"},
    )

    # The thread between the site and the practice: free text about her, both ways.
    thread = one + "/messages"
    await call(
        net,
        trail,
        site,
        route("referral", "POST", thread),
        f"/v1/referrals/{rid}/messages",
        {rid},
        json={"text": "She asks for an evening appointment."},
        headers={"Idempotency-Key": "audit-thread"},
    )
    await call(
        net,
        trail,
        practice,
        route("referral", "GET", thread),
        f"/v1/referrals/{rid}/messages",
        {rid},
    )

    assert trail.called == PHI_ROUTES.keys(), "every route of patient data was called"


async def test_an_ehrs_reads_still_name_its_client(net: Network) -> None:
    rid = await submitted(net, "audit-ehr")
    async with httpx.AsyncClient(base_url=net.url("referral")) as client:
        task = await client.get(f"/fhir/Task/{rid}", headers=net.auth(SITE))
    assert task.status_code == 200, task.text
    rows = await net.query(
        "referral",
        "SELECT actor, person_role, acting_client FROM audit_log "
        "WHERE record_id = $1 AND record_type = 'referral' AND action = 'read'",
        rid,
    )
    assert [tuple(r.values()) for r in rows] == [(f"{SITE}:clinic", None, None)]


OTHER_SITE, NETWORK_ORG = "cedar-heights-obgyn", "network-admin"


def problem_404(response: httpx.Response) -> None:
    assert response.status_code == 404, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 404


async def test_who_read_or_changed_a_referral_is_for_its_coordinator_and_the_network(
    net: Network,
) -> None:
    rid = await submitted(net, "audit-access")
    clinician = person(SITE, Role.CLINIC, PersonRole.CLINICIAN)
    intake = person(PRACTICE, Role.PRACTICE, PersonRole.INTAKE_COORDINATOR)
    async with httpx.AsyncClient(base_url=net.url("referral")) as client:
        seen = await client.get(f"/v1/referrals/{rid}", headers=clinician.headers(net))
        assert seen.status_code == 200, seen.text
        moved = await client.post(f"/v1/intake/{rid}/acknowledge", headers=intake.headers(net))
        assert moved.status_code == 200, moved.text

        allowed = {
            "site coordinator": person(SITE, Role.CLINIC, PersonRole.SITE_COORDINATOR),
            "network admin": person(NETWORK_ORG, Role.ADMIN, PersonRole.NETWORK_ADMIN),
            "network coordinator": person(NETWORK_ORG, Role.ADMIN, PersonRole.NETWORK_COORDINATOR),
        }
        refused = {
            "MA of the site": person(SITE, Role.CLINIC, PersonRole.MA),
            "clinician of the site": clinician,
            "another site's coordinator": person(
                OTHER_SITE, Role.CLINIC, PersonRole.SITE_COORDINATOR
            ),
            "the practice's intake coordinator": intake,
        }
        for who in refused.values():
            problem_404(await client.get(f"/v1/referrals/{rid}/access", headers=who.headers(net)))
        problem_404(await client.get(f"/v1/referrals/{rid}/access", headers=net.auth(SITE)))
        admin = allowed["network admin"].headers(net)
        problem_404(await client.get(f"/v1/referrals/{uuid.uuid4()}/access", headers=admin))
        for who in allowed.values():
            ok = await client.get(f"/v1/referrals/{rid}/access", headers=who.headers(net))
            assert ok.status_code == 200, ok.text
        log = ok.json()
        entries = [
            (e["actor"], e["person_role"], e["action"], e["record_type"], e["change"])
            for e in log["items"]
        ]
        assert (clinician.actor, "clinician", "read", "referral_patient", None) in entries
        assert (intake.actor, "intake_coordinator", "write", "referral", "acknowledge") in entries
        assert (f"{SITE}:clinic", None, "write", "referral", "submit") in entries
        # A change is listed once (its timeline entry), not again as its audit row.
        assert [e[4] for e in entries if e[4] == "acknowledge"] == ["acknowledge"]
        times = [e["at"] for e in log["items"]]
        assert times == sorted(times, reverse=True), "newest first"

        # Pages of two walk the same entries, in the same order, and then stop.
        walked: list[dict[str, Any]] = []
        link: str | None = f"/v1/referrals/{rid}/access?limit=2"
        while link is not None:
            page = (await client.get(link, headers=admin)).json()
            assert len(page["items"]) <= 2
            walked += page["items"]
            link = page["next"]
        assert walked == log["items"] and len(walked) > 2
        bad = await client.get(f"/v1/referrals/{rid}/access?before=not-a-cursor", headers=admin)
        assert bad.status_code == 422 and bad.json()["errors"][0]["parameter"] == "before"


async def test_who_read_a_screening_is_for_its_sites_coordinator_and_the_network(
    net: Network,
) -> None:
    nurse = person(SITE, Role.CLINIC, PersonRole.NURSE_SOCIAL_WORKER)
    async with httpx.AsyncClient(base_url=net.url("screening")) as client:
        made = await client.post(
            "/v1/screenings", json=phq9("pt-audit-trail", [1] * 9), headers=nurse.headers(net)
        )
        sid = made.json()["id"]
        for who in (
            person(SITE, Role.CLINIC, PersonRole.MA),
            person(OTHER_SITE, Role.CLINIC, PersonRole.SITE_COORDINATOR),
            person(PRACTICE, Role.PRACTICE, PersonRole.CLINICIAN),
        ):
            problem_404(await client.get(f"/v1/screenings/{sid}/access", headers=who.headers(net)))
        for who in (
            person(SITE, Role.CLINIC, PersonRole.SITE_COORDINATOR),
            person(NETWORK_ORG, Role.ADMIN, PersonRole.NETWORK_ADMIN),
        ):
            ok = await client.get(f"/v1/screenings/{sid}/access", headers=who.headers(net))
            assert ok.status_code == 200, ok.text
            rows = [(e["actor"], e["person_role"], e["action"]) for e in ok.json()["items"]]
            assert rows == [(nurse.actor, "nurse_social_worker", "write")]


async def test_each_service_runs_as_its_own_role_and_its_audit_chain_holds(net: Network) -> None:
    """As `make run` starts them: every connection a service holds is its runtime role's (the
    owner role only migrated), and whatever this module's traffic wrote chained intact."""
    assert net.stack.infra is not None
    for service, roles in net.stack.infra.roles_for.items():
        connected = await net.query(
            service,
            "SELECT DISTINCT usename FROM pg_stat_activity WHERE datname = current_database() "
            "AND backend_type = 'client backend' AND pid <> pg_backend_pid()",
        )
        assert {r["usename"] for r in connected} == {role_of(roles.runtime_url)}, service
        conn = await asyncpg.connect(net.stack.infra.database_url_for[service])
        try:
            check = await verify_chain(conn)
        finally:
            await conn.close()
        assert check.intact, (service, check.first_break)


async def test_administrative_actions_name_the_person_who_took_them(net: Network) -> None:
    """Organizations onboarded, suspended and reactivated, a client issued and the signing key
    rotated (directory), a subscription made, its secret rotated and deleted (referral): each an
    `admin` row naming the person, what she did and to what."""
    admin = person(NETWORK_ORG, Role.ADMIN, PersonRole.NETWORK_ADMIN)
    org = f"audit-{uuid.uuid4().hex[:8]}"
    async with httpx.AsyncClient(base_url=net.url("directory"), headers=admin.headers(net)) as api:
        answers = [
            await api.put(f"/v1/organizations/{org}", json={"name": "Audit OB", "kind": "ob"}),
            await api.post(f"/v1/organizations/{org}/suspend"),
            await api.post(f"/v1/organizations/{org}/reactivate"),
            await api.post(f"/v1/organizations/{org}/clients"),
            await api.post("/v1/signing-keys/rotate"),
        ]
    assert [a.status_code for a in answers] == [200, 200, 200, 201, 201], answers[-1].text
    client_id, kid = answers[3].json()["client_id"], answers[4].json()["kid"]
    coordinator = person(SITE, Role.CLINIC, PersonRole.SITE_COORDINATOR)
    async with httpx.AsyncClient(
        base_url=net.url("referral"), headers=coordinator.headers(net)
    ) as api:
        made = await api.post("/v1/subscriptions", json={"url": "http://127.0.0.1:9/hook"})
        assert made.status_code == 201, made.text
        sub = made.json()["id"]
        rotated = await api.post(f"/v1/subscriptions/{sub}/rotate-secret")
        deleted = await api.delete(f"/v1/subscriptions/{sub}")
    assert (rotated.status_code, deleted.status_code) == (200, 204)

    admin_rows = (
        "SELECT purpose, record_type, record_id, organization_id, person_role "
        "FROM audit_log WHERE action = 'admin' AND actor = $1 ORDER BY id"
    )
    directory = await net.query("directory", admin_rows, admin.actor)
    assert [tuple(r.values()) for r in directory] == [
        (what, kind, record, NETWORK_ORG, "network_admin")
        for what, kind, record in [
            ("organization_put", "organization", org),
            ("suspend", "organization", org),
            ("reactivate", "organization", org),
            ("issue_client", "client", client_id),
            ("rotate", "signing_key", kid),
        ]
    ]
    referral = await net.query("referral", admin_rows, coordinator.actor)
    assert [tuple(r.values()) for r in referral] == [
        (what, "subscription", sub, SITE, "site_coordinator")
        for what in ("subscribe", "rotate_secret", "unsubscribe")
    ]
