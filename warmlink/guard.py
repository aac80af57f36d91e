"""What every route does before FastAPI reads its body or runs its dependencies.

FastAPI reads and parses a request's body before it runs any dependency, and runs dependencies in
the order a route declares them: an anonymous 8 MB POST was parsed before its token was looked
at, and a route that declared its connection before its caller held a pooled connection while a
forged token was checked. `install` makes every route of an app a `GuardedRoute`, whose handler
first
1. refuses a body whose declared Content-Length is over the limit (413), before anything else;
2. authenticates the caller, when the route needs one (its dependencies include
   `warmlink.auth.authenticated`): a bad token is answered 401 with no byte of the body read and
   no connection taken; the route's own dependency then returns the caller found here;
3. counts a body that declared no length (chunked) as it streams, and refuses it (413) at the
   first byte over the limit;
4. notes a request refused for its token (401) or its role (403) for the audit log
   (`warmlink.refusals`: in memory here, written later off the request path).

The limit is the service's `MAX_BODY_BYTES` (1 MiB by default). A route that bounds its own body
(a document upload with a larger limit of its own) is marked with `bounds_own_body`.

Each request also takes one from a rate limit (`warmlink.rate_limit`, when the app has one in
`app.state.rate_limits`): a route that needs a caller charges the caller once authenticated (a
bad token is refused 401 first, for nothing); a route that takes no bearer token (sign-in pages,
the token endpoint, health) charges the client address before anything else. Past the limit:
429 problem+json with Retry-After, no body read, no connection taken.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Coroutine, Iterator, Sequence
from typing import Any, TypeVar

from fastapi import Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute
from starlette.types import Message, Receive

from warmlink import errors
from warmlink.audit import who
from warmlink.auth import CALLER_SCOPE_KEY, Caller, authenticated
from warmlink.problems import ContentTooLarge, Forbidden, TooManyRequests, Unauthorized
from warmlink.rate_limit import RateLimits, TokenBuckets, caller_key
from warmlink.refusals import UNKNOWN, Refusal

DEFAULT_MAX_BODY_BYTES = 1024 * 1024
_OWN_BODY = "__warmlink_bounds_own_body__"

Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])
Handler = Callable[[Request], Coroutine[Any, Any, Response]]


def bounds_own_body(endpoint: Endpoint) -> Endpoint:
    """Mark a route's endpoint that refuses an oversized body itself (it reads the stream)."""
    setattr(endpoint, _OWN_BODY, True)
    return endpoint


def too_large(limit: int) -> ContentTooLarge:
    return ContentTooLarge(f"a request body is at most {limit} bytes", max_bytes=limit)


def needs_caller(dependant: Dependant) -> bool:
    return any(d.call is authenticated or needs_caller(d) for d in dependant.dependencies)


def _limit(request: Request) -> int:
    runtime = getattr(request.app.state, "runtime", None)
    return runtime.settings.max_body_bytes if runtime is not None else DEFAULT_MAX_BODY_BYTES


def _rate_limits(request: Request) -> RateLimits | None:
    return getattr(request.app.state, "rate_limits", None)


def _within_rate(buckets: TokenBuckets, key: str, whose: str) -> None:
    wait = buckets.take(key)
    if wait is not None:
        raise TooManyRequests(
            f"Too many requests from this {whose}: at most {buckets.rate_per_s:g} a second.",
            headers={"Retry-After": str(max(1, math.ceil(wait)))},
        )


def _counted(receive: Receive, limit: int) -> Receive:
    received = 0

    async def counting() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                # Inside FastAPI's body parsing this becomes a 400 whose cause is this problem;
                # warmlink.problems answers the cause.
                raise too_large(limit)
        return message

    return counting


class GuardedRoute(APIRoute):
    """An APIRoute whose handler refuses oversized bodies and bad tokens first (module doc)."""

    def get_route_handler(self) -> Handler:
        handler = super().get_route_handler()
        own_body = getattr(self.endpoint, _OWN_BODY, False)
        caller_needed = needs_caller(self.dependant)

        async def guarded(request: Request) -> Response:
            limits = _rate_limits(request)
            if limits is not None and not caller_needed:
                address = request.client.host if request.client else "unknown"
                _within_rate(limits.by_address, address, "client address")
            if not own_body:
                limit = _limit(request)
                declared = request.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > limit:
                    raise too_large(limit)
                request = Request(request.scope, _counted(request.receive, limit))
            try:
                if caller_needed:
                    caller = await authenticated(request)
                    request.scope[CALLER_SCOPE_KEY] = caller
                    if limits is not None:
                        key = caller_key(caller.organization_id, caller.subject)
                        _within_rate(limits.by_caller, key, "caller")
                return await handler(request)
            except (Unauthorized, Forbidden, errors.NotAllowed) as refused:
                _note_refusal(request, f"{request.method} {self.path}", refused)
                raise

        return guarded


def refusal_reason(refused: Exception) -> str:
    """The audit row's reason code: the token's fault (`token_expired`...), the role's, or the
    service's own refusal by its kind (`ClientRefused` -> `client_refused`)."""
    if isinstance(refused, Unauthorized):
        return refused.reason
    if isinstance(refused, Forbidden):
        return "role_not_allowed"
    return re.sub(r"(?<!^)(?=[A-Z])", "_", type(refused).__name__).lower()


def _note_refusal(request: Request, route: str, refused: Exception) -> None:
    runtime = getattr(request.app.state, "runtime", None)
    if runtime is None:  # an app started without its runtime (some unit tests)
        return
    caller: Caller | None = request.scope.get(CALLER_SCOPE_KEY)
    # A token that did not verify names nobody: its unverified claims are no evidence.
    refused_who: tuple[str, str, str, str | None, str | None] = (UNKNOWN,) * 3 + (None, None)
    if caller is not None and not isinstance(refused, Unauthorized):
        refused_who = who(caller)
    address = request.client.host if request.client is not None else None
    runtime.refusals.note(Refusal(*refused_who, refusal_reason(refused), route, address))


def _api_routes(routes: Sequence[BaseRoute]) -> Iterator[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        # FastAPI keeps an included router whole (its routes are built per inclusion, lazily).
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from _api_routes(included.routes)


def install(routes: Sequence[BaseRoute]) -> None:
    """Guard every API route in `routes` (an app's or a router's, before the first request).
    The route's handler is built from its class when the app first routes to it."""
    for route in _api_routes(routes):
        route.__class__ = GuardedRoute
