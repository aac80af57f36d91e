"""OpenTelemetry set-up and W3C trace context carried through Kafka headers.

Spans carry identifiers and event types only: never request bodies, never patient details.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from opentelemetry import context, propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SimpleSpanProcessor,
    SpanExporter,
)

_provider: TracerProvider | None = None


def configure(service_name: str, exporter: str, extra: SpanExporter | None = None) -> None:
    """Install the tracer provider once per process; `extra` adds an exporter (tests)."""
    global _provider
    if _provider is None:
        _provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
        if exporter == "console":  # development and tests: show spans within moments
            batches = BatchSpanProcessor(ConsoleSpanExporter(), schedule_delay_millis=200)
            _provider.add_span_processor(batches)
        trace.set_tracer_provider(_provider)
    if extra is not None:
        _provider.add_span_processor(SimpleSpanProcessor(extra))


@functools.cache  # asked per consumed event: get_tracer builds a new tracer on every call
def tracer(name: str) -> trace.Tracer:
    return trace.get_tracer(name)


def inject_headers() -> dict[str, str]:
    """The current trace context as W3C headers (`traceparent`, maybe `tracestate`)."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


def extract_context(headers: Iterable[tuple[str, bytes]] | None) -> context.Context:
    carrier = {
        k: v.decode("latin-1") for k, v in headers or () if k in ("traceparent", "tracestate")
    }
    return propagate.extract(carrier)
