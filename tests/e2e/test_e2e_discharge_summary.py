"""The IOP/PHP discharge summary travels: the referring site attaches it as a document, the
receiving practice reads it through the intake API, every write and read audited, nobody else
can; oversized and wrong-type documents are refused as problem+json."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Network, start_network
from tests.e2e.test_e2e_referral_lifecycle import PRACTICE, SITE, submit
from tests.support.infra import Infrastructure
from tools.dev.seed import seed_region
from warmlink.auth import Role

LIMIT = 4096
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(scope="module")
def net(infra: Infrastructure) -> Iterator[Network]:
    env = {"DOCUMENT_MAX_BYTES": str(LIMIT)}
    stack = start_network(infra, ["directory", "referral", "followup"], env)
    try:
        seed_region(f"http://127.0.0.1:{stack.ports['directory']}", stack.signing_key)
        yield Network(stack)
    finally:
        stack.stop()


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
