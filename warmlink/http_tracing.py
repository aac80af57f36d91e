"""One server span per HTTP request, as plain ASGI middleware (BaseHTTPMiddleware costs more than
a no-op endpoint itself). Spans are named by route template, never the raw path or body.
Probes and scrapes are not traced: a trace every few seconds per replica that says nothing."""

from __future__ import annotations

from typing import Any

from opentelemetry.trace import SpanKind
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from warmlink import telemetry

UNTRACED_PATHS = frozenset({"/health", "/ready", "/metrics"})


class TraceRequests:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.tracer = telemetry.tracer("warmlink.http")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in UNTRACED_PATHS:
            await self.app(scope, receive, send)
            return
        headers: list[tuple[str, bytes]] = [
            (k.decode("latin-1"), v) for k, v in scope["headers"] if k == b"traceparent"
        ]
        method: str = scope["method"]
        with self.tracer.start_as_current_span(
            method, context=telemetry.extract_context(headers), kind=SpanKind.SERVER
        ) as span:

            async def send_status(message: Message) -> None:
                if message["type"] == "http.response.start":
                    span.set_attribute("http.response.status_code", message["status"])
                await send(message)

            await self.app(scope, receive, send_status)
            route: Any = scope.get("route")
            if route is not None:
                span.update_name(f"{method} {getattr(route, 'path', '')}")
