"""The warm handoff across services: screen, worklist, match, submit, and the practice's intake."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer
from standardwebhooks import Webhook

from tests.e2e.conftest import Network, start_network
from tests.e2e.test_e2e_screen_to_worklist import phq9, worklist
from tests.support.infra import Infrastructure
from tests.support.waiting import eventually
from tests.support.webhook_receiver import Receiver
from tools.dev.seed import seed_region
from warmlink.auth import Role

SITE, PRACTICE = "riverside-ob", "bloom-therapy"
SERVICE = "bloom-therapy-outpatient"
PATIENT = {
    "given_name": "Marisol",
    "family_name": "Quetzalcoatl-Brightwater",
    "birth_date": "1994-03-17",
    "phone": "312-555-0187",
    "email": "marisol.qb@example.org",
    "preferred_contact_times": "weekday mornings",
    "notes": "prefers texts; newborn in NICU",
}


@pytest.fixture(scope="module")
def net(infra: Infrastructure) -> Iterator[Network]:
    # Spans go to the services' logs (console exporter), so the PHI test below reads them too.
    # The referring site's webhook subscriber listens on 127.0.0.1 (allowed in development).
    env = {"OTEL_EXPORTER": "console", "WEBHOOK_ALLOW_PRIVATE": "true"}
    # Listings are not reused: a suspension reaches the next submission at once.
    env["DIRECTORY_LISTING_KEEP_S"] = "0"
    stack = start_network(infra, ["directory", "screening", "referral"], env)
    try:
        seed_region(f"http://127.0.0.1:{stack.ports['directory']}", stack.signing_key)
        yield Network(stack)
    finally:
        stack.stop()


@pytest.fixture
async def referral(net: Network) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=net.url("referral")) as client:
        yield client


def body(**overrides: Any) -> dict[str, Any]:
    return {
        "practice_id": PRACTICE,
        "service_id": SERVICE,
        "patient_ref": "pt-life-1",
        "setting": "ob",
        "method": "digital",
        "urgency": "routine",
        "referrer_id": "dr-okafor",
        "patient": PATIENT,
        "consent": {"given": True},
        "match_criteria": {
            "coverage": "plan",
            "plan": "bcbs-il",
            "latitude": 41.88,
            "longitude": -87.63,
            "telehealth_state": "IL",
        },
    } | overrides


async def submit(
    net: Network, client: httpx.AsyncClient, key: str, **overrides: Any
) -> httpx.Response:
    headers = net.auth(SITE) | {"Idempotency-Key": key}
    return await client.post("/v1/referrals", json=body(**overrides), headers=headers)


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """An RFC 9457 problem with exactly `status`: its media type, and its members."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    found: dict[str, Any] = response.json()
    assert found["status"] == status and found["title"] and found["type"]
    return found


async def positive_screen_on_worklist(net: Network, patient_ref: str) -> str:
    """Record a positive screen at the site and wait until it is on the site's worklist."""
    async with httpx.AsyncClient(base_url=net.url("screening")) as screening:
        screen = await screening.post(
            "/v1/screenings", json=phq9(patient_ref, [3] * 9), headers=net.auth(SITE)
        )
    screening_id: str = screen.json()["id"]
    await eventually(
        lambda: worklist(net),
        until=lambda items: any(i["screening_id"] == screening_id for i in items),
        what="worklist item",
    )
    return screening_id


async def test_screen_to_attended_appointment_with_a_full_timeline(
    net: Network, referral: httpx.AsyncClient
) -> None:
    screening_id = await positive_screen_on_worklist(net, "pt-life-1")

    created = await submit(net, referral, "handoff-1", screening_id=screening_id, urgency="urgent")
    assert created.status_code == 201, created.text
    r = created.json()
    assert r["practice"]["name"] == "Bloom Perinatal Therapy"
    assert "within a few business hours" in r["tell_the_patient"]  # urgent: its short clock
    assert r["crisis_resources"][0]["contact"] == "Call or text 988"
    rid = r["id"]

    practice = net.auth(PRACTICE, Role.PRACTICE)
    inbox = (await referral.get("/v1/intake", headers=practice)).json()["items"]
    assert rid in [i["id"] for i in inbox]
    steps = [
        ("acknowledge", None, "acknowledged"),
        ("contact-attempts", {"channel": "phone", "outcome": "reached"}, "acknowledged"),
        (
            "schedule",
            {
                # In the past: attendance is recorded once the appointment's time has come.
                "appointment_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
                "modality": "telehealth",
            },
            "scheduled",
        ),
        ("attended", None, "attended"),
    ]
    for step, payload, expected in steps:
        moved = await referral.post(f"/v1/intake/{rid}/{step}", json=payload, headers=practice)
        assert moved.status_code == 200, moved.text
        assert moved.json()["status"] == expected
    timeline = (await referral.get(f"/v1/referrals/{rid}/timeline", headers=net.auth(SITE))).json()
    assert [t["action"] for t in timeline] == [
        "submit",
        "acknowledge",
        "record_contact",
        "schedule",
        "record_attended",
    ]
    assert all(t["actor"] and t["at"] for t in timeline)
    items = await worklist(net)
    assert not any(i["screening_id"] == screening_id for i in items), "referred: off the worklist"


TELEHEALTH = "Join at https://visit.example.org/room/lumen-4417, code 5521"


async def _statuses_received(
    receiver: Receiver, secret: str, referral_id: str, count: int
) -> list[dict[str, Any]]:
    """The site's notifications about one referral, each verified with the standardwebhooks
    library (a bad signature raises), once `count` have arrived."""

    async def verified() -> list[dict[str, Any]]:
        bodies = [Webhook(secret).verify(r.body, r.headers) for r in receiver.received("/site")]
        return [b for b in bodies if b.get("referral_id") == referral_id]

    return await eventually(verified, until=lambda got: len(got) >= count, what="notifications")


async def test_the_sites_subscriber_sees_every_status_of_a_matched_handoff_in_order(
    net: Network, referral: httpx.AsyncClient
) -> None:
    """Screen, worklist, match, submit, acknowledge, contact, schedule, attend, across the
    screening, directory and referral services over the broker; the referring site's webhook
    subscriber receives each status, in order, signed."""
    receiver = Receiver()
    receiver.start()
    try:
        subscribed = await referral.post(
            "/v1/subscriptions", json={"url": receiver.url("/site")}, headers=net.auth(SITE)
        )
        assert subscribed.status_code == 201, subscribed.text
        secret = subscribed.json()["secret"]
        screening_id = await positive_screen_on_worklist(net, "pt-loop-1")
        criteria = body()["match_criteria"] | {"level_of_care": "outpatient_therapy"}
        async with httpx.AsyncClient(base_url=net.url("directory")) as directory:
            found = await directory.get("/v1/matches", params=criteria, headers=net.auth(SITE))
        assert found.status_code == 200, found.text
        chosen = found.json()["matches"][0]
        practice_id = chosen["organization_id"]
        created = await submit(
            net,
            referral,
            "handoff-loop",
            screening_id=screening_id,
            patient_ref="pt-loop-1",
            practice_id=practice_id,
            service_id=chosen["service_id"],
        )
        assert created.status_code == 201, created.text
        rid = created.json()["id"]
        practice = net.auth(practice_id, Role.PRACTICE)
        # An hour ago: attendance is recorded once the appointment's time has come.
        appointment_at = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
        steps = [
            ("acknowledge", None),
            ("contact-attempts", {"channel": "phone", "outcome": "reached"}),
            (
                "schedule",
                {
                    "appointment_at": appointment_at,
                    "modality": "telehealth",
                    "telehealth_instructions": TELEHEALTH,
                },
            ),
            ("attended", None),
        ]
        for step, payload in steps:
            moved = await referral.post(f"/v1/intake/{rid}/{step}", json=payload, headers=practice)
            assert moved.status_code == 200, moved.text

        got = await _statuses_received(receiver, secret, rid, 5)
        assert [(b["event_type"], b["status"]) for b in got] == [
            ("ReferralSubmitted", "submitted"),
            ("IntakeAcknowledged", "acknowledged"),
            ("PatientContacted", "acknowledged"),  # a change, though the status stays
            ("AppointmentScheduled", "scheduled"),
            ("AppointmentAttended", "attended"),
        ]
        numbers = [b["event_number"] for b in got]
        assert numbers == list(range(numbers[0], numbers[0] + 5)), "no gap, no reordering"
        assert TELEHEALTH not in "".join(r.body for r in receiver.received("/site"))
    finally:
        receiver.stop()

    seen = (await referral.get(f"/v1/referrals/{rid}", headers=net.auth(SITE))).json()
    assert seen["appointment"]["modality"] == "telehealth"
    assert seen["appointment"]["telehealth_instructions"] == TELEHEALTH
    assert seen["appointment"]["location"] is None
    sealed = await net.query(
        "referral",
        "SELECT appointment_logistics_sealed AS s FROM referrals WHERE id = $1::uuid",
        rid,
    )
    assert b"lumen-4417" not in bytes(sealed[0]["s"])
    audit = await net.query(
        "referral",
        "SELECT action, organization_id FROM audit_log"
        " WHERE record_id = $1 AND record_type = 'referral_appointment' ORDER BY id",
        rid,
    )
    assert [(a["action"], a["organization_id"]) for a in audit] == [
        ("write", practice_id),
        ("read", SITE),
    ]


async def test_illegal_transition_is_409_naming_the_current_state(
    net: Network, referral: httpx.AsyncClient
) -> None:
    rid = (await submit(net, referral, "handoff-409")).json()["id"]
    response = await referral.post(
        f"/v1/intake/{rid}/attended", headers=net.auth(PRACTICE, Role.PRACTICE)
    )
    assert problem(response, 409)["current_status"] == "submitted"


async def test_other_organizations_get_404_and_wrong_roles_403(
    net: Network, referral: httpx.AsyncClient
) -> None:
    rid = (await submit(net, referral, "handoff-404")).json()["id"]
    other_practice = await referral.post(
        f"/v1/intake/{rid}/acknowledge", headers=net.auth("northside-cmhc", Role.PRACTICE)
    )
    problem(other_practice, 404)
    other_site = await referral.get(f"/v1/referrals/{rid}", headers=net.auth("maple-pediatrics"))
    problem(other_site, 404)
    assert "Marisol" not in other_site.text
    for path in ("", "/timeline"):  # its history is as hidden as the referral
        hidden = await referral.get(f"/v1/referrals/{rid}{path}", headers=net.auth("maple-ob"))
        problem(hidden, 404)
    other_fhir = await referral.get(f"/fhir/Task/{rid}", headers=net.auth("maple-pediatrics"))
    assert other_fhir.status_code == 404
    site_acknowledging = await referral.post(
        f"/v1/intake/{rid}/acknowledge", headers=net.auth(SITE)
    )
    problem(site_acknowledging, 403)
    practice_cancelling = await referral.post(
        f"/v1/referrals/{rid}/cancel",
        json={"reason": "duplicate"},
        headers=net.auth(PRACTICE, Role.PRACTICE),
    )
    problem(practice_cancelling, 403)


async def test_the_inbox_filters_by_status_and_urgency_urgent_first_then_earliest_deadline(
    net: Network, referral: httpx.AsyncClient
) -> None:
    practice = net.auth(PRACTICE, Role.PRACTICE)
    made = {}
    for name, urgency in (("a", "routine"), ("b", "urgent"), ("c", "routine")):
        created = await submit(net, referral, f"inbox-{name}", urgency=urgency)
        made[name] = created.json()["id"]
    await referral.post(f"/v1/intake/{made['c']}/acknowledge", headers=practice)

    async def inbox(**params: str) -> list[dict[str, Any]]:
        found = await referral.get("/v1/intake", params=params, headers=practice)
        assert found.status_code == 200, found.text
        items: list[dict[str, Any]] = found.json()["items"]
        return items

    everything = await inbox()
    ids = [i["id"] for i in everything]
    assert set(made.values()) <= set(ids)
    urgent = [i["urgency"] == "urgent" for i in everything]
    assert urgent == sorted(urgent, reverse=True), "every urgent referral before any routine one"
    for group in (True, False):
        deadlines = [i["acknowledge_by"] for i in everything if (i["urgency"] == "urgent") is group]
        assert deadlines == sorted(deadlines), "then the earliest acknowledgement deadline"
    submitted = await inbox(status="submitted")
    assert {made["a"], made["b"]} <= {i["id"] for i in submitted}
    assert made["c"] not in {i["id"] for i in submitted}
    assert {i["status"] for i in submitted} == {"submitted"}
    only_urgent = await inbox(urgency="urgent")
    assert made["b"] in {i["id"] for i in only_urgent}
    assert {i["urgency"] for i in only_urgent} == {"urgent"}
    unknown = await referral.get("/v1/intake", params={"status": "lost"}, headers=practice)
    problem(unknown, 422)
    another = await referral.get("/v1/intake", headers=net.auth("northside-cmhc", Role.PRACTICE))
    assert not set(made.values()) & {i["id"] for i in another.json()["items"]}


async def test_a_cancelled_appointment_is_rebooked_and_the_site_cancels_with_a_reason(
    net: Network, referral: httpx.AsyncClient
) -> None:
    rid = (await submit(net, referral, "handoff-cancels")).json()["id"]
    practice = net.auth(PRACTICE, Role.PRACTICE)
    at = (datetime.now(UTC) + timedelta(days=4)).isoformat()
    booking = {"appointment_at": at, "modality": "in_person", "location": "12 Elm St, Suite 3"}
    steps = [
        ("acknowledge", None, "acknowledged"),
        ("schedule", booking, "scheduled"),
        ("cancel-appointment", {"cancelled_by": "patient", "reason": "rescheduled"}, None),
        ("schedule", booking, "scheduled"),
    ]
    for step, payload, expected in steps:
        moved = await referral.post(f"/v1/intake/{rid}/{step}", json=payload, headers=practice)
        assert moved.status_code == 200, moved.text
        assert moved.json()["status"] == (expected or "appointment_cancelled")
    seen = (await referral.get(f"/v1/referrals/{rid}", headers=practice)).json()
    assert seen["appointment"]["location"] == "12 Elm St, Suite 3"

    cancelled = await referral.post(
        f"/v1/referrals/{rid}/cancel", json={"reason": "referred_elsewhere"}, headers=net.auth(SITE)
    )
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    late = await referral.post(f"/v1/intake/{rid}/attended", headers=practice)
    assert problem(late, 409)["current_status"] == "cancelled"
    uncoded = await referral.post(
        f"/v1/referrals/{rid}/cancel", json={"reason": "changed her mind"}, headers=net.auth(SITE)
    )
    assert "#/reason" in [e.get("pointer") for e in problem(uncoded, 422)["errors"]]
    timeline = (await referral.get(f"/v1/referrals/{rid}/timeline", headers=net.auth(SITE))).json()
    assert [(t["action"], t["reason"]) for t in timeline] == [
        ("submit", None),
        ("acknowledge", None),
        ("schedule", None),
        ("cancel_appointment", "rescheduled"),
        ("schedule", None),
        ("cancel", "referred_elsewhere"),
    ]
    assert timeline[-1]["organization_id"] == SITE


@pytest.mark.parametrize(
    ("fields", "shown"),
    [
        (
            {"setting": "pediatric", "infant_visit_ref": "peds-visit-881"},
            {"infant_visit_ref": "peds-visit-881", "appointment_needed_by": None},
        ),
        (
            {"setting": "hospital", "planned_discharge_at": "2031-05-02T15:00:00+00:00"},
            {"appointment_needed_by": "2031-05-02T15:00:00+00:00"},
        ),
        (
            {
                "setting": "iop_php",
                "last_iop_session_on": "2031-05-09",
                "discharge_summary_ref": "iop-summary-77",
            },
            {"discharge_summary_ref": "iop-summary-77", "appointment_needed_by": "2031-05-09"},
        ),
    ],
    ids=["pediatric", "hospital", "iop_php"],
)
async def test_the_practice_sees_what_each_setting_adds(
    net: Network, referral: httpx.AsyncClient, fields: dict[str, str], shown: dict[str, Any]
) -> None:
    created = await submit(net, referral, f"setting-{fields['setting']}", **fields)
    assert created.status_code == 201, created.text
    rid = created.json()["id"]
    inbox = await referral.get(
        "/v1/intake", params={"status": "submitted"}, headers=net.auth(PRACTICE, Role.PRACTICE)
    )
    item = next(i for i in inbox.json()["items"] if i["id"] == rid)
    assert (item["setting"], item["level_of_care"], item["referrer_id"]) == (
        fields["setting"],
        "outpatient_therapy",
        "dr-okafor",
    )
    for name, value in shown.items():
        if name == "appointment_needed_by" and value is not None:
            assert item[name].startswith(value), (name, item[name])
        else:
            assert item[name] == value, name


async def test_fifty_concurrent_identical_submissions_make_one_referral(
    net: Network, referral: httpx.AsyncClient
) -> None:
    responses = await asyncio.gather(
        *[submit(net, referral, "handoff-50", patient_ref="pt-50") for _ in range(50)]
    )
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["id"] for r in responses}) == 1
    rows = await net.query("referral", "SELECT id FROM referrals WHERE patient_ref = 'pt-50'")
    assert len(rows) == 1
    different = await submit(net, referral, "handoff-50", patient_ref="pt-51")
    keyless = await referral.post("/v1/referrals", json=body(), headers=net.auth(SITE))
    assert problem(keyless, 422)["errors"][0]["header"] == "Idempotency-Key"
    reused = problem(different, 422)["errors"]
    assert reused == [{"header": "Idempotency-Key", "detail": "reused with a different request"}]


async def test_phi_is_sealed_at_rest_and_every_read_is_audited(
    net: Network, referral: httpx.AsyncClient
) -> None:
    rid = (await submit(net, referral, "handoff-phi")).json()["id"]
    sealed = await net.query(
        "referral", "SELECT sealed FROM referral_patients WHERE referral_id = $1::uuid", rid
    )
    raw = bytes(sealed[0]["sealed"])
    for secret in ("Marisol", "312-555-0187", "marisol.qb", "1994-03-17", "NICU"):
        assert secret.encode() not in raw
    for org, role in ((SITE, Role.CLINIC), (PRACTICE, Role.PRACTICE)):
        seen = await referral.get(f"/v1/referrals/{rid}", headers=net.auth(org, role))
        assert seen.json()["patient"]["family_name"] == "Quetzalcoatl-Brightwater"
    audit = await net.query(
        "referral",
        "SELECT action, organization_id FROM audit_log WHERE record_id = $1 ORDER BY id",
        rid,
    )
    assert [(a["action"], a["organization_id"]) for a in audit] == [
        ("write", SITE),
        ("read", SITE),
        ("read", PRACTICE),
    ]


async def test_a_declined_referral_offers_next_matches_and_is_redirected_keeping_history(
    net: Network, referral: httpx.AsyncClient
) -> None:
    rid = (await submit(net, referral, "handoff-decline")).json()["id"]
    declined = await referral.post(
        f"/v1/intake/{rid}/decline",
        json={"reason": "no_capacity"},
        headers=net.auth(PRACTICE, Role.PRACTICE),
    )
    assert declined.json()["status"] == "declined"
    nxt = await referral.get(f"/v1/referrals/{rid}/next-matches", headers=net.auth(SITE))
    assert nxt.status_code == 200, nxt.text
    options = nxt.json()["matches"]
    assert options and PRACTICE not in {m["organization_id"] for m in options}
    target = options[0]
    moved = await referral.post(
        f"/v1/referrals/{rid}/redirect",
        json={"practice_id": target["organization_id"], "service_id": target["service_id"]},
        headers=net.auth(SITE),
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["status"] == "submitted"
    assert moved.json()["practice"]["id"] == target["organization_id"]
    timeline = (await referral.get(f"/v1/referrals/{rid}/timeline", headers=net.auth(SITE))).json()
    assert [t["action"] for t in timeline] == ["submit", "decline", "redirect"]
    assert timeline[1]["reason"] == "no_capacity" and timeline[1]["practice_id"] == PRACTICE


@pytest.mark.parametrize(
    ("overrides", "pointer"),
    [
        ({"setting": "pediatric"}, "#/infant_visit_ref"),
        ({"setting": "hospital"}, "#/planned_discharge_at"),
        ({"setting": "iop_php"}, "#/last_iop_session_on"),
        ({"consent": {"given": True, "part2": True}}, "#/consent/part2_redisclosure"),
        ({"consent": {"given": False}}, "#/consent/given"),
        ({"service_id": "no-such-service"}, "#/service_id"),
        ({"patient": {"given_name": "A", "family_name": "B"}}, "#/patient"),
        ({"method": "fax"}, "#/method"),
    ],
)
async def test_invalid_referrals_get_422_naming_the_field(
    net: Network, referral: httpx.AsyncClient, overrides: dict[str, Any], pointer: str
) -> None:
    response = await submit(net, referral, f"bad-{pointer}", **overrides)
    assert pointer in [e.get("pointer") for e in problem(response, 422)["errors"]]


async def test_a_decline_puts_the_patient_back_on_the_worklist_until_redirected(
    net: Network, referral: httpx.AsyncClient
) -> None:
    sid = await positive_screen_on_worklist(net, "pt-back-1")
    rid = (
        await submit(net, referral, "handoff-back", screening_id=sid, patient_ref="pt-back-1")
    ).json()["id"]
    assert not any(i["screening_id"] == sid for i in await worklist(net))
    await referral.post(
        f"/v1/intake/{rid}/decline",
        json={"reason": "not_clinical_fit"},
        headers=net.auth(PRACTICE, Role.PRACTICE),
    )
    back = [i for i in await worklist(net) if i["screening_id"] == sid]
    assert back and back[0]["referral_id"] == rid
    assert back[0]["next_matches"] == f"/v1/referrals/{rid}/next-matches"
    options = (await referral.get(back[0]["next_matches"], headers=net.auth(SITE))).json()
    target = options["matches"][0]
    await referral.post(
        f"/v1/referrals/{rid}/redirect",
        headers=net.auth(SITE),
        json={"practice_id": target["organization_id"], "service_id": target["service_id"]},
    )
    assert not any(i["screening_id"] == sid for i in await worklist(net))


PHI_VALUES = (
    "Marisol",
    "Quetzalcoatl",
    "312-555-0187",
    "marisol.qb",
    "1994-03-17",
    "NICU",
    "lumen-4417",  # the appointment's telehealth instructions
)


async def test_zz_no_patient_detail_reaches_kafka_logs_or_spans(net: Network) -> None:
    """Runs after the other tests of this module: every record they produced is checked."""
    assert net.stack.infra is not None
    prefix = net.stack.common_env["KAFKA_TOPIC_PREFIX"]
    consumer = AIOKafkaConsumer(
        bootstrap_servers=net.stack.infra.kafka_bootstrap,
        auto_offset_reset="earliest",
        group_id=None,
        enable_auto_commit=False,
    )
    await consumer.start()
    records: list[bytes] = []
    try:
        topics = [t for t in await consumer.topics() if t.startswith(prefix)]
        consumer.subscribe(topics)

        async def drain() -> int:
            for batch in (await consumer.getmany(timeout_ms=200)).values():
                records.extend(r.value + b"".join(v for _, v in r.headers) for r in batch)
            return len(records)

        # at least the referral events of the tests above
        await eventually(drain, until=lambda n: n >= 20, what="the run's Kafka records")
        await drain()
    finally:
        await consumer.stop()

    async def read_logs() -> bytes:
        return b"".join(p.read_bytes() for p in net.stack.logs.glob("*.log"))

    # The console exporter writes spans in batches, a moment after they end.
    logs = await eventually(
        read_logs, until=lambda b: b'"trace_id"' in b, what="spans in the logs to check"
    )
    for value in PHI_VALUES:
        assert not any(value.encode() in r for r in records), f"{value} reached Kafka"
        assert value.encode() not in logs, f"{value} reached a log line or span"
    reads = await net.query("referral", "SELECT count(*) AS n FROM audit_log WHERE action = 'read'")
    assert reads[0]["n"] >= 2  # each GET /v1/referrals/{id} with patient details


SUSPENDED, SUSPENDED_SERVICE = "lantern-telehealth", "lantern-telehealth-therapy"


async def test_no_referral_goes_to_a_suspended_practice_new_or_redirected(
    net: Network, referral: httpx.AsyncClient
) -> None:
    """Before, the directory's listing said `suspended` and the referral went there anyway."""
    admin = net.auth("network-admin", Role.ADMIN)
    async with httpx.AsyncClient(base_url=net.url("directory")) as directory:
        suspended = await directory.post(f"/v1/organizations/{SUSPENDED}/suspend", headers=admin)
        assert suspended.status_code == 200, suspended.text
        try:
            to_suspended = {"practice_id": SUSPENDED, "service_id": SUSPENDED_SERVICE}
            refused = problem(await submit(net, referral, "to-suspended", **to_suspended), 409)
            assert refused["errors"][0]["pointer"] == "#/practice_id"
            assert refused["practice_id"] == SUSPENDED
            rid = (await submit(net, referral, "redirect-to-suspended")).json()["id"]
            declined = await referral.post(
                f"/v1/intake/{rid}/decline",
                json={"reason": "no_capacity"},
                headers=net.auth(PRACTICE, Role.PRACTICE),
            )
            assert declined.json()["status"] == "declined"
            moved = await referral.post(
                f"/v1/referrals/{rid}/redirect", json=to_suspended, headers=net.auth(SITE)
            )
            assert problem(moved, 409)["errors"][0]["pointer"] == "#/practice_id"
        finally:
            await directory.post(f"/v1/organizations/{SUSPENDED}/reactivate", headers=admin)
