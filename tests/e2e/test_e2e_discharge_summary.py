"""The IOP/PHP discharge summary travels: the referring site attaches it as a document, the
receiving practice reads it through the intake API, every write and read audited, nobody else
can; oversized and wrong-type documents are refused as problem+json. The follow-up service's IOP
gate fires while the summary is missing and is settled once it is delivered, the appointment is
booked and the provider confirmed it; a hospital's moved discharge moves its gate.

The gate's clocks run without the wall clock: the IOP lead time is longer than any date the test
uses (the alert is due at once), and the moved discharge lies in the past (due at once too)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Network, seeded_network
from tests.e2e.test_e2e_referral_lifecycle import PRACTICE, SITE, submit
from tests.support.infra import Infrastructure
from tests.support.waiting import eventually
from warmlink.auth import Role

LIMIT = 4096
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(scope="module")
def net(infra: Infrastructure) -> Iterator[Network]:
    env = {
        "DOCUMENT_MAX_BYTES": str(LIMIT),  # the referral service's
        "IOP_ALERT_LEAD_HOURS": "10000000",  # the follow-up service's: over a thousand years
        "SCHEDULER_INTERVAL_S": "0.2",
    }
    with seeded_network(infra, ["directory", "referral", "followup"], env) as network:
        yield network


@pytest.fixture
async def referral(net: Network) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=net.url("referral")) as client:
        yield client


async def iop_referral(net: Network, client: httpx.AsyncClient, key: str) -> str:
    """An IOP/PHP referral submitted without a summary: it may follow the submission."""
    response = await submit(net, client, key, setting="iop_php", last_iop_session_on="2031-05-09")
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def put_summary(
    net: Network, client: httpx.AsyncClient, rid: str, content: bytes, content_type: str, **kw: Any
) -> httpx.Response:
    headers = net.auth(kw.pop("org", SITE), kw.pop("role", Role.CLINIC))
    return await client.put(
        f"/v1/referrals/{rid}/discharge-summary",
        content=content,
        headers=headers | {"Content-Type": content_type},
    )


async def audit_rows(net: Network, rid: str) -> list[tuple[str, str, str]]:
    rows = await net.query(
        "referral",
        "SELECT organization_id, action, record_type FROM audit_log "
        "WHERE record_id = $1 AND record_type = 'referral_discharge_summary' ORDER BY id",
        rid,
    )
    return [(r["organization_id"], r["action"], r["record_type"]) for r in rows]


async def test_a_summary_delivered_is_read_by_the_practice_and_audited(
    net: Network, referral: httpx.AsyncClient
) -> None:
    rid = await iop_referral(net, referral, "summary-delivered")
    put = await put_summary(net, referral, rid, PDF, "application/pdf")
    assert put.status_code == 204, put.text

    got = await referral.get(
        f"/v1/intake/{rid}/discharge-summary", headers=net.auth(PRACTICE, Role.PRACTICE)
    )
    assert got.status_code == 200, got.text
    assert got.headers["content-type"] == "application/pdf"
    assert got.content == PDF
    assert await audit_rows(net, rid) == [
        (SITE, "write", "referral_discharge_summary"),
        (PRACTICE, "read", "referral_discharge_summary"),
    ]
    # Sealed at rest: the stored bytes are not the document.
    stored = await net.query(
        "referral", "SELECT sealed FROM discharge_summaries WHERE referral_id = $1::uuid", rid
    )
    assert b"%PDF-" not in bytes(stored[0]["sealed"])
    # The event is queued in the same transaction; it carries ids and times, no content.
    events = await net.query(
        "referral",
        "SELECT payload FROM outbox WHERE event_type = 'DischargeSummaryDelivered' AND key = $1",
        rid,
    )
    assert len(events) == 1
    assert b"PDF" not in bytes(events[0]["payload"])


async def test_a_plain_text_summary_replaces_the_first(
    net: Network, referral: httpx.AsyncClient
) -> None:
    rid = await iop_referral(net, referral, "summary-text")
    assert (await put_summary(net, referral, rid, PDF, "application/pdf")).status_code == 204
    text = b"Discharged from IOP; sertraline 100 mg; sleep improving."
    put = await put_summary(net, referral, rid, text, "text/plain; charset=utf-8")
    assert put.status_code == 204, put.text
    got = await referral.get(
        f"/v1/intake/{rid}/discharge-summary", headers=net.auth(PRACTICE, Role.PRACTICE)
    )
    assert got.content == text
    assert got.headers["content-type"].startswith("text/plain")


async def test_an_oversized_summary_is_a_413(net: Network, referral: httpx.AsyncClient) -> None:
    rid = await iop_referral(net, referral, "summary-413")
    put = await put_summary(net, referral, rid, PDF + b"0" * LIMIT, "application/pdf")
    assert put.status_code == 413, put.text
    assert put.headers["content-type"] == "application/problem+json"
    assert put.json()["max_bytes"] == LIMIT
    assert await audit_rows(net, rid) == []


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"PK\x03\x04 not a pdf", "application/pdf"),  # declared PDF, bytes a zip
        (PDF, "application/msword"),  # a type that is not accepted
        (b"\x00\x01binary", "text/plain"),  # declared text, bytes binary
    ],
    ids=["pdf-magic", "declared-type", "text-bytes"],
)
async def test_a_wrong_type_summary_is_a_415(
    net: Network, referral: httpx.AsyncClient, content: bytes, content_type: str
) -> None:
    rid = await iop_referral(net, referral, f"summary-415-{content_type}-{content[:2]!r}")
    put = await put_summary(net, referral, rid, content, content_type)
    assert put.status_code == 415, put.text
    assert put.headers["content-type"] == "application/problem+json"


async def test_nobody_else_reads_or_writes_it(net: Network, referral: httpx.AsyncClient) -> None:
    rid = await iop_referral(net, referral, "summary-others")
    assert (await put_summary(net, referral, rid, PDF, "application/pdf")).status_code == 204

    other_practice = await referral.get(
        f"/v1/intake/{rid}/discharge-summary", headers=net.auth("other-practice", Role.PRACTICE)
    )
    assert other_practice.status_code == 404, other_practice.text
    assert other_practice.headers["content-type"] == "application/problem+json"
    other_site = await put_summary(net, referral, rid, PDF, "application/pdf", org="other-site")
    assert other_site.status_code == 404, other_site.text
    assert await audit_rows(net, rid) == [(SITE, "write", "referral_discharge_summary")]


async def followup_rows(net: Network, sql: str, rid: str) -> list[Any]:
    return await net.query("followup", sql, rid)


async def gate_alerts(net: Network, rid: str) -> list[bytes]:
    rows = await followup_rows(
        net, "SELECT payload FROM outbox WHERE event_type = 'GateAlertRaised' AND key = $1", rid
    )
    return [bytes(r["payload"]) for r in rows]


async def gate_task_status(net: Network, rid: str) -> list[str]:
    rows = await followup_rows(
        net, "SELECT status FROM tasks WHERE referral_id = $1::uuid AND kind = 'iop_gate'", rid
    )
    return [r["status"] for r in rows]


async def test_the_iop_gate_fires_without_the_summary_and_is_settled_by_it(
    net: Network, referral: httpx.AsyncClient
) -> None:
    rid = await iop_referral(net, referral, "summary-gate")
    alerts = await eventually(lambda: gate_alerts(net, rid), until=bool, what="a gate alert")
    assert b'"missing":["appointment","discharge_summary"]' in alerts[0]
    assert await gate_task_status(net, rid) == ["open"]

    site, practice = net.auth(SITE), net.auth(PRACTICE, Role.PRACTICE)
    early = await referral.post(f"/v1/referrals/{rid}/provider-confirmation", headers=site)
    assert early.status_code == 409, early.text  # no appointment to confirm yet
    assert (await put_summary(net, referral, rid, PDF, "application/pdf")).status_code == 204
    for step, payload in [
        ("acknowledge", None),
        ("schedule", {"appointment_at": "2031-05-02T15:00:00+00:00", "modality": "telehealth"}),
    ]:
        moved = await referral.post(f"/v1/intake/{rid}/{step}", json=payload, headers=practice)
        assert moved.status_code == 200, moved.text
    # Summary and appointment, but not yet the provider's word: the task stays open.
    await eventually(
        lambda: followup_rows(
            net,
            "SELECT 1 FROM referral_tracks WHERE referral_id = $1::uuid"
            " AND discharge_summary_sent AND status = 'scheduled'",
            rid,
        ),
        until=bool,
        what="the summary and the appointment known to the gate",
    )
    assert await gate_task_status(net, rid) == ["open"]

    confirmed = await referral.post(f"/v1/referrals/{rid}/provider-confirmation", headers=site)
    assert confirmed.status_code == 200, confirmed.text
    await eventually(
        lambda: gate_task_status(net, rid),
        until=lambda found: found == ["resolved"],
        what="the IOP gate task settled",
    )
    assert len(await gate_alerts(net, rid)) == 1  # and the gate does not fire again
    timeline = await referral.get(f"/v1/referrals/{rid}/timeline", headers=site)
    assert "provider_confirmed" in [t["action"] for t in timeline.json()]


async def test_a_moved_discharge_moves_the_gate(net: Network, referral: httpx.AsyncClient) -> None:
    planned = datetime(2031, 5, 2, 15, 0, tzinfo=UTC)
    response = await submit(
        net, referral, "summary-moved", setting="hospital", planned_discharge_at=planned.isoformat()
    )
    assert response.status_code == 201, response.text
    rid = response.json()["id"]
    await eventually(
        lambda: followup_rows(
            net, "SELECT 1 FROM clocks WHERE referral_id = $1::uuid AND kind = 'gate_alert'", rid
        ),
        until=bool,
        what="the gate armed for the planned discharge",
    )
    assert await gate_alerts(net, rid) == []

    # The patient left early: the gate is due at once, and it fires.
    left = datetime(2020, 1, 6, 15, 0, tzinfo=UTC)
    moved = await referral.put(
        f"/v1/referrals/{rid}/planned-discharge",
        json={"planned_discharge_at": left.isoformat()},
        headers=net.auth(SITE),
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["appointment_needed_by"] == left.isoformat()
    alerts = await eventually(lambda: gate_alerts(net, rid), until=bool, what="a gate alert")
    assert b'"gate":"hospital_discharge"' in alerts[0]
    breaches = await eventually(
        lambda: followup_rows(
            net,
            "SELECT due_at FROM sla_breaches WHERE referral_id = $1::uuid"
            " AND kind = 'discharge_without_appointment'",
            rid,
        ),
        until=bool,
        what="the moved discharge passed without an appointment",
    )
    assert [b["due_at"] for b in breaches] == [left]
    not_hospital = await iop_referral(net, referral, "summary-moved-iop")
    refused = await referral.put(
        f"/v1/referrals/{not_hospital}/planned-discharge",
        json={"planned_discharge_at": left.isoformat()},
        headers=net.auth(SITE),
    )
    assert refused.status_code == 409, refused.text
