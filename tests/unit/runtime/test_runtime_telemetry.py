"""Which spans start a trace (RootsAreWork), what a trace keeps once started, and where OTLP
export goes: offline, on a tracer provider of the test's own (not the process's global one)."""

from __future__ import annotations

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import (
    NonRecordingSpan,
    SpanContext,
    SpanKind,
    TraceFlags,
    set_span_in_context,
)
from pydantic import ValidationError

from warmlink.settings import ServiceSettings
from warmlink.telemetry import otlp_exporter, sampler


def provider(ratio: float = 1.0) -> tuple[TracerProvider, InMemorySpanExporter]:
    exported = InMemorySpanExporter()
    p = TracerProvider(sampler=sampler(ratio))
    p.add_span_processor(SimpleSpanProcessor(exported))
    return p, exported


@pytest.mark.parametrize(
    ("name", "kind", "kept"),
    [
        ("POST", SpanKind.SERVER, True),
        ("handle ScreenPositive", SpanKind.CONSUMER, True),
        ("sweep", SpanKind.INTERNAL, True),
        ("SELECT", SpanKind.CLIENT, False),  # a query outside any request: the relay's poll
        ("warmlink.screening send", SpanKind.PRODUCER, False),  # the broker check's sentinel
        ("warmlink.screening receive", SpanKind.CONSUMER, False),  # aiokafka's fetched batch
    ],
)
def test_only_work_starts_a_trace(name: str, kind: SpanKind, kept: bool) -> None:
    p, exported = provider()
    with p.get_tracer("t").start_as_current_span(name, kind=kind):
        pass
    assert [s.name for s in exported.get_finished_spans()] == ([name] if kept else [])


def test_a_kept_request_keeps_its_queries_sends_and_fetches() -> None:
    p, exported = provider()
    tracer = p.get_tracer("t")
    with tracer.start_as_current_span("POST", kind=SpanKind.SERVER):
        for name, kind in (
            ("SELECT", SpanKind.CLIENT),
            ("t send", SpanKind.PRODUCER),
            ("t receive", SpanKind.CONSUMER),
        ):
            with tracer.start_as_current_span(name, kind=kind):
                pass
    spans = exported.get_finished_spans()
    assert sorted(s.name for s in spans) == ["POST", "SELECT", "t receive", "t send"]
    assert len({s.context.trace_id for s in spans}) == 1


def test_the_sample_ratio_decides_at_the_root_and_children_follow() -> None:
    p, exported = provider(ratio=0.0)
    tracer = p.get_tracer("t")
    with tracer.start_as_current_span("POST", kind=SpanKind.SERVER):
        with tracer.start_as_current_span("handle", kind=SpanKind.CONSUMER):
            pass
    assert exported.get_finished_spans() == ()


def test_an_event_whose_send_was_not_kept_is_still_traced_where_it_is_handled() -> None:
    """A background worker's event: the relay's send started no trace, yet its headers say
    "not sampled"; the handler decides afresh, and aiokafka's fetch span still starts none."""
    p, exported = provider()
    unsampled = SpanContext(0xABC, 0xDEF, is_remote=True, trace_flags=TraceFlags(0))
    remote = set_span_in_context(NonRecordingSpan(unsampled))
    tracer = p.get_tracer("t")
    for name in ("handle CapacityStale", "t receive"):
        with tracer.start_as_current_span(name, context=remote, kind=SpanKind.CONSUMER):
            pass
    assert [s.name for s in exported.get_finished_spans()] == ["handle CapacityStale"]


def test_otlp_export_posts_to_the_collectors_traces_path() -> None:
    exporter = otlp_exporter("http://collector.observability:4318/")
    assert exporter._endpoint == "http://collector.observability:4318/v1/traces"  # type: ignore[attr-defined]


def test_tracing_settings() -> None:
    s = ServiceSettings(otel_exporter="otlp", otlp_endpoint="http://c:4318", otel_sample_ratio=0.25)
    assert (s.otel_exporter, s.otel_sample_ratio) == ("otlp", 0.25)
    with pytest.raises(ValidationError):
        ServiceSettings(otel_sample_ratio=1.5)
    with pytest.raises(ValidationError):
        ServiceSettings(otel_exporter="jaeger")
