"""OpenTelemetry set-up and W3C trace context carried through Kafka headers.

Spans carry identifiers and event types only: never request bodies, never patient details.
Where spans go is a setting (`OTEL_EXPORTER`: none, console or otlp); docs/observability.md.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from opentelemetry import context, propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SimpleSpanProcessor,
    SpanExporter,
)
from opentelemetry.sdk.trace.sampling import (
    Decision,
    ParentBased,
    Sampler,
    SamplingResult,
    TraceIdRatioBased,
)
from opentelemetry.trace import Link, SpanKind
from opentelemetry.util.types import Attributes

if TYPE_CHECKING:
    from warmlink.settings import ServiceSettings

TRACE_HEADERS = ("traceparent", "tracestate")
OTLP_TRACES_PATH = "/v1/traces"

_provider: TracerProvider | None = None
_instrumented = False


class RootsAreWork(Sampler):
    """A trace starts only at work: a request (SERVER) or an event handled (CONSUMER), or a
    span of our own code. A database query or a produce with no parent (the relay's polls, the
    heartbeats, the broker check's sentinel) and aiokafka's span for each fetched batch (named
    "<topics> receive", the parent of nothing we do) would each start a trace of their own, a
    flood with no question behind it, so they are dropped. Within a trace, the parent decides
    (ParentBased): a sampled request's queries, sends and the handlers downstream are kept."""

    def __init__(self, ratio: float) -> None:
        self._ratio = TraceIdRatioBased(ratio)

    def should_sample(
        self,
        parent_context: context.Context | None,
        trace_id: int,
        name: str,
        kind: SpanKind | None = None,
        attributes: Attributes = None,
        links: Sequence[Link] | None = None,
        trace_state: trace.TraceState | None = None,
    ) -> SamplingResult:
        if kind in (SpanKind.CLIENT, SpanKind.PRODUCER):
            return SamplingResult(Decision.DROP)
        if kind is SpanKind.CONSUMER and name.endswith(" receive"):
            return SamplingResult(Decision.DROP)
        return self._ratio.should_sample(
            parent_context, trace_id, name, kind, attributes, links, trace_state
        )

    def get_description(self) -> str:
        return f"RootsAreWork({self._ratio.get_description()})"


def sampler(ratio: float) -> Sampler:
    """Within a trace the parent decides, with one exception: an event whose producer span was
    not kept. An event written by a background worker (a clock, the stale sweep) has no request
    behind it, so the relay's send of it is a root PRODUCER span, dropped above, and aiokafka's
    instrumentation still sends its context, marked not sampled. Its handler then decides as
    if it started the trace; the ratio hashes the trace id, so a trace the ratio dropped
    upstream stays dropped downstream."""
    roots = RootsAreWork(ratio)
    return ParentBased(roots, remote_parent_not_sampled=roots)


def configure(service_name: str, exporter: str, extra: SpanExporter | None = None) -> None:
    """Install the tracer provider once per process; `extra` adds an exporter (tests)."""
    configure_from(service_name, exporter, extra=extra)


def configure_from(
    service_name: str,
    exporter: str,
    *,
    endpoint: str = "",
    sample_ratio: float = 1.0,
    extra: SpanExporter | None = None,
) -> None:
    global _provider
    if _provider is None:
        _provider = TracerProvider(
            resource=Resource.create({"service.name": service_name}),
            sampler=sampler(sample_ratio),
        )
        if exporter == "console":  # development and tests: show spans within moments
            batches = BatchSpanProcessor(ConsoleSpanExporter(), schedule_delay_millis=200)
            _provider.add_span_processor(batches)
        elif exporter == "otlp":
            _provider.add_span_processor(BatchSpanProcessor(otlp_exporter(endpoint)))
        trace.set_tracer_provider(_provider)
    if extra is not None:
        _provider.add_span_processor(SimpleSpanProcessor(extra))


def configure_service(settings: ServiceSettings, service_name: str | None = None) -> None:
    """What a service process calls at start: exporter, sampling and instrumentations."""
    configure_from(
        service_name or settings.service_name,
        settings.otel_exporter,
        endpoint=settings.otlp_endpoint,
        sample_ratio=settings.otel_sample_ratio,
    )
    if settings.otel_exporter != "none" and settings.otel_instrument:
        instrument_clients()


def otlp_exporter(endpoint: str) -> SpanExporter:
    """OTLP/HTTP with protobuf bodies to `endpoint` (a collector's base URL, as
    http://collector:4318; the traces path is added)."""
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter(endpoint=endpoint.rstrip("/") + OTLP_TRACES_PATH, timeout=5)


def instrument_clients() -> None:
    """Spans for every asyncpg query and every aiokafka send and fetch. SQL spans carry the
    statement text with its $n placeholders, never the bound values (capture_parameters off):
    the values are patient details."""
    global _instrumented
    if _instrumented:
        return
    from opentelemetry.instrumentation.aiokafka import AIOKafkaInstrumentor
    from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor

    AsyncPGInstrumentor(capture_parameters=False).instrument()  # type: ignore[no-untyped-call]
    AIOKafkaInstrumentor().instrument()
    _instrumented = True


def instrumented() -> bool:
    """Whether aiokafka's instrumentation adds trace headers to what is sent (see outbox relay)."""
    return _instrumented


def flush() -> None:
    """Export what is still batched: the spans of a process's last seconds (its drain) reach
    the collector instead of dying with it. Not a shutdown: several apps may share the process
    (tests), and the SDK's own exit hook shuts the provider down."""
    if _provider is not None:
        _provider.force_flush(timeout_millis=5000)


@functools.cache  # asked per consumed event: get_tracer builds a new tracer on every call
def tracer(name: str) -> trace.Tracer:
    return trace.get_tracer(name)


def inject_headers() -> dict[str, str]:
    """The current trace context as W3C headers (`traceparent`, maybe `tracestate`)."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


def extract_context(headers: Iterable[tuple[str, bytes]] | None) -> context.Context:
    carrier = {k: v.decode("latin-1") for k, v in headers or () if k in TRACE_HEADERS}
    return propagate.extract(carrier)
