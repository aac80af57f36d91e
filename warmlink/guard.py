"""What every route does before FastAPI reads its body or runs its dependencies.

FastAPI reads and parses a request's body before it runs any dependency, and runs dependencies in
the order a route declares them: a route that declared its connection before its caller held a
pooled connection while a forged token was checked. `install` makes every route of an app a
`GuardedRoute`, whose handler first authenticates the caller, when the route needs one (its
dependencies include `warmlink.auth.authenticated`): a bad token is answered 401 with no byte of
the body read and no connection taken; the route's own dependency then returns the caller found
here.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterator, Sequence
from typing import Any

from fastapi import Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

from warmlink.auth import CALLER_SCOPE_KEY, authenticated

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


def needs_caller(dependant: Dependant) -> bool:
    return any(d.call is authenticated or needs_caller(d) for d in dependant.dependencies)


class GuardedRoute(APIRoute):
    """An APIRoute whose handler refuses bad tokens first (module doc)."""

    def get_route_handler(self) -> Handler:
        handler = super().get_route_handler()
        caller_needed = needs_caller(self.dependant)

        async def guarded(request: Request) -> Response:
            if caller_needed:
                request.scope[CALLER_SCOPE_KEY] = await authenticated(request)
            return await handler(request)

        return guarded


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
