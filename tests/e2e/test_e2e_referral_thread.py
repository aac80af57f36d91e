"""A referral's message thread between its referring site and its receiving practice (HL7 360X's
interim communications): both ends read and write it, oldest first, with who wrote each message;
a third organization gets the 404 of a referral that is not there; the text is sealed at rest and
bounded (422 problem+json at `/text`); every read and write is audited with the caller; an
Idempotency-Key replay answers the first result and adds nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from tests.e2e.conftest import Network, seeded_network
from tests.e2e.test_e2e_referral_lifecycle import PRACTICE, SITE, problem, submit
from tests.support.infra import Infrastructure
from warmlink.auth import PersonRole, Role

OTHER_PRACTICE = "northside-cmhc"
OTHER_SITE = "cedar-heights-obgyn"
NURSE = ("11111111-2222-4333-8444-555555555555", PersonRole.NURSE_SOCIAL_WORKER, "portal-test")
INTAKE = ("66666666-7777-4888-8999-aaaaaaaaaaaa", PersonRole.INTAKE_COORDINATOR, "portal-test")


@pytest.fixture(scope="module")
def net(infra: Infrastructure) -> Iterator[Network]:
    with seeded_network(infra, ["directory", "referral"]) as network:
        yield network


@pytest.fixture
async def referral(net: Network) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=net.url("referral")) as client:
        yield client


def as_person(
    net: Network, org: str, role: Role, person: tuple[str, PersonRole, str]
) -> dict[str, str]:
    return {"Authorization": "Bearer " + net.token(org, role, person=person)}


async def made(net: Network, client: httpx.AsyncClient, key: str) -> str:
    response = await submit(net, client, key, patient_ref=f"pt-{key}")
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def post(
    client: httpx.AsyncClient, rid: str, text: str, headers: dict[str, str], key: str
) -> httpx.Response:
    return await client.post(
        f"/v1/referrals/{rid}/messages",
        json={"text": text},
        headers=headers | {"Idempotency-Key": key},
    )


async def audit_rows(net: Network, rid: str) -> list[tuple[str, str, str, str | None]]:
    rows = await net.query(
        "referral",
        "SELECT actor, organization_id, action, person_role FROM audit_log "
        "WHERE record_id = $1 AND record_type = 'referral_messages' ORDER BY id",
        rid,
    )
    return [(r["actor"], r["organization_id"], r["action"], r["person_role"]) for r in rows]


async def test_both_ends_write_and_read_the_thread_audited_and_sealed(
    net: Network, referral: httpx.AsyncClient
) -> None:
    rid = await made(net, referral, "thread-both")
    site = as_person(net, SITE, Role.CLINIC, NURSE)
    practice = as_person(net, PRACTICE, Role.PRACTICE, INTAKE)
    asked = "Marisol asks whether an evening slot is possible; baby is in the NICU."
    first = await post(referral, rid, asked, site, "thread-both-1")
    assert first.status_code == 201, first.text
    written = first.json()
    assert written["message"]["side"] == "site" and "text" not in written["message"]
    kept = await net.query(
        "referral", "SELECT response FROM idempotency_keys WHERE key = $1", "thread-both-1"
    )
    assert b"Marisol" not in str(kept[0]["response"]).encode(), "the replayable answer has no text"
    assert (written["site_id"], written["practice_id"]) == (SITE, PRACTICE)
    assert written["submitted_by"] is not None  # the site's EHR client made the referral
    answer = "Yes: Thursdays until 7 pm. We will call her tomorrow."
    second = await post(referral, rid, f"  {answer}\n\n", practice, "thread-both-2")
    assert second.status_code == 201, second.text

    for reader in (site, practice):
        got = await referral.get(f"/v1/referrals/{rid}/messages", headers=reader)
        assert got.status_code == 200, got.text
        items = got.json()["items"]
        assert [i["text"] for i in items] == [asked, answer], "oldest first, trimmed"
        assert [(i["side"], i["organization_id"], i["person_role"]) for i in items] == [
            ("site", SITE, "nurse_social_worker"),
            ("practice", PRACTICE, "intake_coordinator"),
        ]
        assert items[0]["author"] == f"person:{NURSE[0]}" and items[1]["role"] == "practice"
        assert got.json()["count"] == 2

    assert await audit_rows(net, rid) == [
        (f"person:{NURSE[0]}", SITE, "write", "nurse_social_worker"),
        (f"person:{INTAKE[0]}", PRACTICE, "write", "intake_coordinator"),
        (f"person:{NURSE[0]}", SITE, "read", "nurse_social_worker"),
        (f"person:{INTAKE[0]}", PRACTICE, "read", "intake_coordinator"),
    ]
    stored = await net.query(
        "referral", "SELECT sealed FROM referral_messages WHERE referral_id = $1::uuid", rid
    )
    assert len(stored) == 2
    assert all(
        b"Marisol" not in bytes(r["sealed"]) and b"Thursday" not in bytes(r["sealed"])
        for r in stored
    ), "sealed at rest"
    # Nothing about it is announced: no event carries the thread.
    events = await net.query("referral", "SELECT payload FROM outbox WHERE key = $1", rid)
    assert all(b"Marisol" not in bytes(e["payload"]) for e in events)


async def test_a_third_organization_gets_the_404_of_a_referral_not_there(
    net: Network, referral: httpx.AsyncClient
) -> None:
    rid = await made(net, referral, "thread-third")
    assert (
        await post(referral, rid, "A note.", net.auth(SITE), "thread-third-1")
    ).status_code == 201
    before = await audit_rows(net, rid)
    for org, role in ((OTHER_PRACTICE, Role.PRACTICE), (OTHER_SITE, Role.CLINIC)):
        got = await referral.get(f"/v1/referrals/{rid}/messages", headers=net.auth(org, role))
        problem(got, 404)
        wrote = await post(referral, rid, "Let me in.", net.auth(org, role), f"third-{org}")
        problem(wrote, 404)
    assert await audit_rows(net, rid) == before, "nothing read, nothing written"
    count = await net.query(
        "referral", "SELECT count(*) AS n FROM referral_messages WHERE referral_id = $1::uuid", rid
    )
    assert count[0]["n"] == 1


async def test_an_empty_or_oversize_message_is_refused_at_its_field(
    net: Network, referral: httpx.AsyncClient
) -> None:
    rid = await made(net, referral, "thread-size")
    site = net.auth(SITE)
    too_long = await post(referral, rid, "x" * 2001, site, "thread-size-1")
    found = problem(too_long, 422)
    assert found["errors"][0]["pointer"] == "#/text"
    assert "at most 2000 characters" in found["errors"][0]["detail"]
    blank = problem(await post(referral, rid, " \n ", site, "thread-size-2"), 422)
    assert blank["errors"][0]["pointer"] == "#/text"
    just_fits = await post(referral, rid, "y" * 2000, site, "thread-size-3")
    assert just_fits.status_code == 201, just_fits.text
    rows = await net.query(
        "referral", "SELECT count(*) AS n FROM referral_messages WHERE referral_id = $1::uuid", rid
    )
    assert rows[0]["n"] == 1


async def test_an_idempotency_key_replay_answers_the_first_result_and_adds_nothing(
    net: Network, referral: httpx.AsyncClient
) -> None:
    rid = await made(net, referral, "thread-replay")
    practice = net.auth(PRACTICE, Role.PRACTICE)
    first = await post(referral, rid, "We called her twice.", practice, "thread-replay-1")
    again = await post(referral, rid, "We called her twice.", practice, "thread-replay-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    other = await post(referral, rid, "Something else.", practice, "thread-replay-1")
    problem(other, 422)
    got = await referral.get(f"/v1/referrals/{rid}/messages", headers=practice)
    assert [i["id"] for i in got.json()["items"]] == [first.json()["message"]["id"]]
