"""Traces leave the services over OTLP/HTTP: a screen recorded at screening and put on the
worklist by referral (through the broker) reaches a collector as one trace, and no span of a
referral that carries her name, number and birth date says any of them. The same running
network answers for the Grafana dashboard: every metric it queries is one the services export."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

from services.followup.clocks.adapters.ops import clock_metrics
from tests.deploy.test_grafana_dashboard import dashboard, metric_names
from tests.e2e.conftest import NETWORK_ORG, Network, start_network
from tests.e2e.test_e2e_referral_lifecycle import PATIENT, body, positive_screen_on_worklist
from tests.e2e.test_e2e_referral_lifecycle import SITE as REFERRING_SITE
from tests.support.infra import Infrastructure
from tests.support.migrated import migrated_pool
from tests.support.otlp_collector import ExportedSpan, OtlpCollector
from tests.support.waiting import eventually
from tools.dev.seed import seed_region
from warmlink.auth import Role

PATIENT_REF = "pt-otlp-7f3a"
TRACED = ("screening", "referral")
SCRAPED = ("directory", "screening", "referral")


@pytest.fixture(scope="module")
def collector() -> Iterator[OtlpCollector]:
    c = OtlpCollector()
    c.start()
    try:
        yield c
    finally:
        c.stop()


@pytest.fixture(scope="module")
def net(infra: Infrastructure, collector: OtlpCollector) -> Iterator[Network]:
    """The two services the trace crosses export, with the instrumentations on (the SQL spans
    are where bound values, her details, could leak); the directory and follow-up do not trace,
    which keeps the region's seeding cheap."""
    traced = {"OTEL_EXPORTER": "otlp", "OTLP_ENDPOINT": collector.endpoint}
    traced["OTEL_INSTRUMENT"] = "true"
    # The SDK's own variable, read by the processes started meanwhile: export every 200 ms
    # instead of every 5 s, so the test waits less.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("OTEL_BSP_SCHEDULE_DELAY", "200")
        # All three start at once (start_network would wait for the untraced one first).
        stack = start_network(infra, list(SCRAPED), later=SCRAPED)
        try:
            for name in SCRAPED:
                stack.start_service(name, traced if name in TRACED else {})
            for name in SCRAPED:
                stack.wait_ready(name)
            seed_region(f"http://127.0.0.1:{stack.ports['directory']}", stack.signing_key)
            yield Network(stack)
        finally:
            stack.stop()


def trace_of(spans: list[ExportedSpan], service: str, name: str) -> str:
    found = [s.trace_id for s in spans if s.service == service and s.name == name]
    assert found, f"no {name!r} span from {service}; got {sorted({s.name for s in spans})}"
    return found[-1]


async def test_a_screen_crossing_the_broker_is_one_trace_without_phi(
    net: Network, collector: OtlpCollector
) -> None:
    screening_id = await positive_screen_on_worklist(net, PATIENT_REF)
    async with httpx.AsyncClient(base_url=net.url("referral")) as referral:
        headers = net.auth(REFERRING_SITE) | {"Idempotency-Key": "otlp-1"}
        made = await referral.post(
            "/v1/referrals", json=body(screening_id=screening_id), headers=headers
        )
    assert made.status_code == 201, made.text

    def handled_in_referral(names: set[tuple[str, str]]) -> bool:
        return {
            ("screening", "POST /v1/screenings"),
            ("referral", "handle ScreenPositive"),
            ("referral", "POST /v1/referrals"),
        } <= names

    spans = await eventually(
        lambda: _names(collector), until=handled_in_referral, timeout=30, what="exported spans"
    )
    spans = collector.spans()
    assert not collector.refused

    screen_trace = trace_of(spans, "screening", "POST /v1/screenings")
    assert trace_of(spans, "referral", "handle ScreenPositive") == screen_trace
    in_trace = [s for s in spans if s.trace_id == screen_trace]
    assert {s.service for s in in_trace} == {"screening", "referral"}
    roots = [s for s in in_trace if not s.parent_span_id]
    assert [r.name for r in roots] == ["POST /v1/screenings"], "one root: the request"
    ids = {s.span_id for s in in_trace}
    assert all(s.parent_span_id in ids for s in in_trace if s.parent_span_id), "no broken links"
    # No trace of its own for a probe, a query outside a request or a fetched batch.
    assert not [
        s.name
        for s in spans
        if s.name in ("GET /ready", "SELECT", "BEGIN;") and not s.parent_span_id
    ]
    assert not [s.name for s in spans if s.name.endswith(" receive") and not s.parent_span_id]
    # The instrumentations' spans joined it: the relay's send and the handler's queries.
    assert any(s.attributes.get("db.system") == "postgresql" for s in in_trace)
    assert any(s.name.endswith(" send") and s.service == "screening" for s in in_trace)

    said = "\n".join(s.text() for s in spans)
    assert "INSERT" in said  # the SQL text is there, so the absence below means something
    for value in (PATIENT_REF, *(str(v) for v in PATIENT.values())):
        assert value not in said, f"a span carries {value!r}"


async def test_every_metric_the_dashboard_queries_is_exported(
    net: Network, database_url: str
) -> None:
    """Scraped from the running services; the follow-up service's own collector (the only part
    of its /metrics the others do not also export) is run in-process on its migrated tables."""
    exported: set[str] = set()
    for service in SCRAPED:
        exported |= {s.name for s in await scrape(net, service)}
    pool = await migrated_pool(database_url, "followup")
    try:
        async with pool.acquire() as conn:
            exported |= {s.name for s in await clock_metrics(conn)}
    finally:
        await pool.close()
    wanted = metric_names(dashboard())
    assert wanted and wanted <= exported, f"not exported: {sorted(wanted - exported)}"


async def test_capacity_past_the_limit_is_counted_stale(net: Network) -> None:
    def stale(samples: list[Sample]) -> float:
        return next(s.value for s in samples if s.name == "warmlink_directory_capacity_stale")

    before = await scrape(net, "directory")
    ages = [s for s in before if s.name == "warmlink_directory_capacity_age_seconds"]
    assert ages and all(set(s.labels) == {"organization_id", "service_id"} for s in ages)
    backdated = ages[0].labels["service_id"]
    await net.query(
        "directory",
        "UPDATE capacities SET verified_at = now() - interval '169 hours' WHERE service_id = $1",
        backdated,
    )
    after = await scrape(net, "directory")
    assert stale(after) == stale(before) + 1  # the limit is 168 hours by default
    age = next(s.value for s in after if s.labels.get("service_id") == backdated)
    assert age >= 169 * 3600


async def scrape(net: Network, service: str) -> list[Sample]:
    async with httpx.AsyncClient() as client:
        scraped = await client.get(
            net.url(service) + "/metrics", headers=net.auth(NETWORK_ORG, Role.ADMIN)
        )
    assert scraped.status_code == 200, scraped.text
    return [s for f in text_string_to_metric_families(scraped.text) for s in f.samples]


async def _names(collector: OtlpCollector) -> set[tuple[str, str]]:
    """What arrived, by service and span name (a short message when the wait times out)."""
    return {(s.service, s.name) for s in collector.spans()}
