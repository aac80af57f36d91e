"""A stand-in for an OpenTelemetry collector: accepts OTLP/HTTP protobuf trace exports on
127.0.0.1 (POST /v1/traces), decodes them with opentelemetry-proto and keeps every span, with
the service that sent it, for a test to read."""

from __future__ import annotations

import gzip
import threading
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from typing import Any

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue

from tools.dev.post_server import serve_posts, stop_serving
from tools.dev.processes import free_port


@dataclass(frozen=True)
class ExportedSpan:
    service: str
    trace_id: str
    span_id: str
    parent_span_id: str
    name: str
    attributes: dict[str, Any]
    events: tuple[tuple[str, dict[str, Any]], ...]

    def text(self) -> str:
        """Everything the span says, for PHI checks."""
        return repr((self.name, self.attributes, self.events))


def _value(v: AnyValue) -> Any:
    kind = v.WhichOneof("value")
    if kind == "array_value":
        return [_value(x) for x in v.array_value.values]
    if kind == "kvlist_value":
        return {kv.key: _value(kv.value) for kv in v.kvlist_value.values}
    return getattr(v, kind) if kind else None


def decode(body: bytes) -> list[ExportedSpan]:
    request = ExportTraceServiceRequest.FromString(body)
    spans = []
    for resource_spans in request.resource_spans:
        resource = {a.key: _value(a.value) for a in resource_spans.resource.attributes}
        for scope_spans in resource_spans.scope_spans:
            for s in scope_spans.spans:
                spans.append(
                    ExportedSpan(
                        service=str(resource.get("service.name", "")),
                        trace_id=s.trace_id.hex(),
                        span_id=s.span_id.hex(),
                        parent_span_id=s.parent_span_id.hex(),
                        name=s.name,
                        attributes={a.key: _value(a.value) for a in s.attributes},
                        events=tuple(
                            (e.name, {a.key: _value(a.value) for a in e.attributes})
                            for e in s.events
                        ),
                    )
                )
    return spans


class OtlpCollector:
    """`endpoint` is what a service's OTLP_ENDPOINT setting takes."""

    def __init__(self) -> None:
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self._spans: list[ExportedSpan] = []
        self.refused: list[str] = []  # what was not an OTLP protobuf trace export, and why
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    def spans(self) -> list[ExportedSpan]:
        with self._lock:
            return list(self._spans)

    def start(self) -> None:
        def answer(path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str]]:
            lowered = {k.lower(): v for k, v in headers.items()}
            if path != "/v1/traces" or lowered.get("content-type") != "application/x-protobuf":
                self.refused.append(f"{path} {lowered.get('content-type')}")
                return 415, {}
            if lowered.get("content-encoding") == "gzip":
                body = gzip.decompress(body)
            got = decode(body)
            with self._lock:
                self._spans.extend(got)
            return 200, {"content-type": "application/x-protobuf"}

        self._server = serve_posts(self.port, answer)

    def stop(self) -> None:
        stop_serving(self._server)
        self._server = None
