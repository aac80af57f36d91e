"""The referring site's list of its referrals (filters, keyset paging, only its own, the monthly
review's CSV) and the panel written for the patient, sent to her through a real SMTP server."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta
from email.header import decode_header, make_header
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest

from tests.e2e.conftest import Network, start_network
from tests.e2e.test_e2e_referral_lifecycle import PATIENT, PRACTICE, SITE, body, problem
from tests.support.infra import Infrastructure
from tests.support.smtp import Inbox, smtp_server
from tests.support.waiting import eventually
from tools.dev.seed import seed_region
from warmlink.auth import PersonRole, Role

OTHER_SITE = "cedar-heights-obgyn"
ANA, BEA = str(uuid4()), str(uuid4())  # two people of the site who refer


@pytest.fixture(scope="module")
def smtp() -> Iterator[tuple[Inbox, int]]:
    with smtp_server() as server:
        yield server


@pytest.fixture(scope="module")
def net(infra: Infrastructure, smtp: tuple[Inbox, int]) -> Iterator[Network]:
    env = {"NOTIFY_CHANNEL": "smtp", "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp[1])}
    stack = start_network(infra, ["directory", "referral"], env)
    try:
        seed_region(f"http://127.0.0.1:{stack.ports['directory']}", stack.signing_key)
        yield Network(stack)
    finally:
        stack.stop()


@pytest.fixture
async def client(net: Network) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=net.url("referral")) as c:
        yield c


def person(net: Network, person_id: str, org: str = SITE) -> dict[str, str]:
    token = net.token(org, Role.CLINIC, person=(person_id, PersonRole.MA, "portal-client"))
    return {"Authorization": f"Bearer {token}"}


async def submit(
    client: httpx.AsyncClient, headers: dict[str, str], ref: str, **overrides: Any
) -> dict[str, Any]:
    made = await client.post(
        "/v1/referrals",
        json=body(patient_ref=ref, **overrides),
        headers=headers | {"Idempotency-Key": str(uuid4())},
    )
    assert made.status_code == 201, made.text
    found: dict[str, Any] = made.json()
    return found


async def test_the_site_lists_filters_pages_and_exports_only_its_own_referrals(
    net: Network, client: httpx.AsyncClient
) -> None:
    ana, bea = person(net, ANA), person(net, BEA)
    made = [
        await submit(client, ana if i % 2 == 0 else bea, f"pt-list-{i}", urgency=u)
        for i, u in enumerate(["routine", "urgent", "routine", "routine", "routine"])
    ]
    await submit(client, net.auth(OTHER_SITE), "pt-list-other")
    practice = net.auth(PRACTICE, Role.PRACTICE)
    first = made[0]["id"]
    assert (await client.post(f"/v1/intake/{first}/acknowledge", headers=practice)).is_success
    at = (datetime.now().astimezone() - timedelta(minutes=1)).isoformat()
    booked = await client.post(
        f"/v1/intake/{first}/schedule",
        json={"appointment_at": at, "modality": "telehealth"},
        headers=practice,
    )
    assert booked.is_success, booked.text
    assert (await client.post(f"/v1/intake/{first}/attended", headers=practice)).is_success
    closed = await client.post(
        f"/v1/intake/{first}/close", json={"outcome": "in_care"}, headers=practice
    )
    assert closed.is_success
    cancelled = await client.post(
        f"/v1/referrals/{made[1]['id']}/cancel", json={"reason": "duplicate"}, headers=ana
    )
    assert cancelled.is_success

    async def listed(query: str, headers: dict[str, str] = ana) -> dict[str, Any]:
        answer = await client.get(f"/v1/referrals?{query}", headers=headers)
        assert answer.status_code == 200, answer.text
        found: dict[str, Any] = answer.json()
        return found

    def refs(page: dict[str, Any]) -> list[str]:
        return [i["patient_ref"] for i in page["items"]]

    everything = await listed("patient_ref_prefix=pt-list-")
    assert refs(everything) == [f"pt-list-{i}" for i in (4, 3, 2, 1, 0)], "newest first"
    assert "pt-list-other" not in refs(await listed("limit=500")), "another site's never appear"
    theirs = await listed("patient_ref_prefix=pt-list-", net.auth(OTHER_SITE))
    assert refs(theirs) == ["pt-list-other"], "and the other site sees its own only"
    assert refs(await listed("patient_ref=pt-list-3")) == ["pt-list-3"]
    assert refs(await listed("patient_ref=pt-list-")) == [], "exact means exact"
    assert refs(await listed("status=cancelled&patient_ref_prefix=pt-list-")) == ["pt-list-1"]
    by_bea = await listed(f"submitted_by=person:{BEA}&patient_ref_prefix=pt-list-")
    assert refs(by_bea) == ["pt-list-3", "pt-list-1"]
    window = httpx.QueryParams(
        submitted_from=made[1]["submitted_at"],
        submitted_before=made[4]["submitted_at"],
        patient_ref_prefix="pt-list-",
    )
    assert refs(await listed(str(window))) == ["pt-list-3", "pt-list-2", "pt-list-1"]

    done = next(i for i in everything["items"] if i["id"] == first)
    assert done["status"] == "closed" and done["closed_reason"] == "in_care"
    assert done["acknowledged_at"] and done["attended_at"] and done["first_appointment_at"]
    assert done["submitted_by"] == f"person:{ANA}"
    assert next(i for i in everything["items"] if i["id"] == made[1]["id"])["closed_reason"] == (
        "duplicate"
    )

    # Keyset paging: two at a time, the same five, each once, in order.
    seen: list[str] = []
    page = await listed("patient_ref_prefix=pt-list-&limit=2")
    pages = 1
    while True:
        seen += refs(page)
        if page["next"] is None:
            break
        answer = await client.get(page["next"], headers=ana)
        page = answer.json()
        pages += 1
    assert seen == refs(everything) and pages == 3
    bad = await client.get("/v1/referrals?after=not-a-cursor", headers=ana)
    assert problem(bad, 422)["errors"][0]["parameter"] == "after"
    wrong_status = await client.get("/v1/referrals?status=lost", headers=ana)
    assert problem(wrong_status, 422)["errors"][0]["parameter"] == "status"
    assert (await client.get("/v1/referrals", headers=practice)).status_code == 403

    exported = await client.get("/v1/referrals?format=csv&patient_ref_prefix=pt-list-", headers=ana)
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    assert "attachment" in exported.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [r["patient_ref"] for r in rows] == refs(everything)
    assert list(rows[0]) == [
        "patient_ref",
        "submitted_at",
        "urgency",
        "practice",
        "status",
        "acknowledged_at",
        "first_appointment_at",
        "attended",
        "closed_reason",
    ]
    row = next(r for r in rows if r["patient_ref"] == "pt-list-0")
    assert (row["status"], row["attended"], row["closed_reason"]) == ("closed", "yes", "in_care")
    assert row["practice"] == "Bloom Perinatal Therapy" and row["acknowledged_at"]
    for phi in (PATIENT["given_name"], PATIENT["family_name"], PATIENT["phone"], PATIENT["email"]):
        assert phi not in exported.text


async def test_the_patient_panel_in_spanish_and_sent_once_by_email(
    net: Network, client: httpx.AsyncClient, smtp: tuple[Inbox, int]
) -> None:
    inbox = smtp[0]
    ana = person(net, ANA)
    made = await submit(client, ana, "pt-panel-es", language="es-MX")
    rid = made["id"]
    assert made["language"] == "es-MX"
    panel = (await client.get(f"/v1/referrals/{rid}/patient-message", headers=ana)).json()
    assert panel["language"] == "es" and panel["send_channel"] == "email"
    assert panel["lines"][0] == "Su equipo de atención la ha referido a Bloom Perinatal Therapy."
    assert "dentro de 1 día hábil" in panel["lines"][1]
    assert made["practice"]["intake_phone"] in panel["lines"][2]
    assert "988" in panel["crisis"][0] and "1-833-852-6262" in panel["crisis"][1]
    elsewhere = await client.get(
        f"/v1/referrals/{rid}/patient-message", headers=net.auth(OTHER_SITE)
    )
    problem(elsewhere, 404)

    key = {"Idempotency-Key": str(uuid4())}
    sent = [
        await client.post(f"/v1/referrals/{rid}/patient-message", headers=ana | key)
        for _ in range(2)
    ]
    assert [s.status_code for s in sent] == [202, 202]
    assert sent[1].headers.get("idempotent-replayed") == "true"
    spanish = "Su referido: que pasa ahora"  # in plain ASCII, like all she is sent
    await eventually(
        lambda: _bodies(inbox, spanish),
        until=lambda found: len(found) >= 2,
        what="her confirmation and the panel",
    )
    bodies = await _bodies(inbox, spanish)
    confirmations = [b for b in bodies if b.startswith("Hola:")]
    panels = [b for b in bodies if not b.startswith("Hola:")]
    assert len(confirmations) == 1 and len(panels) == 1, bodies
    assert "Le contactaran dentro de 1 dia habil, antes del " in confirmations[0]
    text = panels[0]
    assert text.startswith("Su equipo de atencion la ha referido a Bloom Perinatal Therapy.")
    assert "Bloom Perinatal Therapy" in text and "988" in text and "1-833-852-6262" in text
    assert PATIENT["notes"] not in text and "PHQ" not in text
    rows = await net.query(
        "referral",
        # The two-business-day check waits in the same queue: these two are sent now.
        "SELECT count(*) AS n FROM patient_notifications WHERE referral_id = $1 "
        "AND kind IN ('confirmation', 'panel')",
        UUID(rid),
    )
    assert rows[0]["n"] == 2, "the confirmation and one panel: the double send made one"
    audited = await net.query(
        "referral",
        "SELECT actor FROM audit_log WHERE record_id = $1 AND purpose = 'patient_message'",
        rid,
    )
    assert [r["actor"] for r in audited] == [f"person:{ANA}"]
    timeline = (await client.get(f"/v1/referrals/{rid}/timeline", headers=ana)).json()
    assert [(e["action"], e["reason"]) for e in timeline][-1] == ("patient_message", "email")


def _subject(message: Any) -> str:
    return str(make_header(decode_header(message["Subject"])))


async def _bodies(inbox: Inbox, subject: str) -> list[str]:
    """What was sent to her address under `subject`."""
    return [
        m.get_payload(decode=True).decode()
        for to, m in inbox.messages
        if _subject(m) == subject and to == [PATIENT["email"]]
    ]
