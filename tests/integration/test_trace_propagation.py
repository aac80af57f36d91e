"""Trace context crosses the broker: the consumer's span continues the producer's trace."""

from __future__ import annotations

from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from tests.integration.harness import effect_count, emit, running, screen, settings_for
from tests.support.infra import Infrastructure
from tests.support.waiting import eventually
from warmlink import telemetry


async def test_consumer_span_is_a_child_of_the_span_that_wrote_the_event(
    infra: Infrastructure, database_url: str
) -> None:
    exporter = InMemorySpanExporter()
    telemetry.configure("tests", "none", extra=exporter)
    async with running(settings_for(infra, database_url)) as rt:
        with telemetry.tracer("tests").start_as_current_span("POST /v1/screenings") as request:
            written = (await emit(rt, screen("traced")))[0]
        await eventually(lambda: effect_count(rt), until=lambda n: n == 1, what="the effect")

        async def handled() -> list[object]:
            return [
                s
                for s in exporter.get_finished_spans()
                if s.name == "handle ScreenPositive"
                and (s.attributes or {}).get("messaging.message.id") == str(written.event_id)
            ]

        spans = await eventually(handled, what="the consumer's span")
    consumer_span = spans[0]
    assert consumer_span.context.trace_id == request.get_span_context().trace_id  # type: ignore[attr-defined]
    assert consumer_span.parent.span_id == request.get_span_context().span_id  # type: ignore[attr-defined]
    attributes = consumer_span.attributes or {}  # type: ignore[attr-defined]
    assert "traced" not in str(dict(attributes)), "spans carry ids, never patient references"
