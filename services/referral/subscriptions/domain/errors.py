"""What the subscription routes refuse, as warmlink.errors kinds (mapped to problem+json once).

Another organization's subscription is simply not found: its existence never leaks.
"""

from __future__ import annotations

from warmlink.errors import Conflict, Invalid, NotFound

NO_SUCH_SUBSCRIPTION = "No such subscription."


class SubscriptionNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__(NO_SUCH_SUBSCRIPTION)


class EventNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("No such event number in this subscription.")


class SubscriptionNotActive(Conflict):
    """Only an active subscription delivers; redelivering on another would send nothing."""

    def __init__(self, status: str) -> None:
        super().__init__(f"The subscription is {status}; nothing is delivered.")


class DestinationRefused(Invalid):
    """The URL may not be used as a webhook destination; the detail says why (no URL echoed)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail, field="/url")


class HeartbeatTooFrequent(Invalid):
    def __init__(self, shortest_s: float) -> None:
        super().__init__(
            f"A heartbeat may come at most every {shortest_s:g} seconds.",
            field="/heartbeat_s",
            minimum_s=shortest_s,
        )


class TooManySubscriptions(Conflict):
    """The organization holds as many active subscriptions as the network allows."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"The organization already has {limit} active subscriptions, the most allowed; "
            "deactivate one (DELETE /v1/subscriptions/{id}) first.",
            limit=limit,
        )


class BackportRefused(Invalid):
    """A FHIR Backport Subscription asks for something Warmlink does not offer; `field` is the
    FHIRPath of what (an OperationOutcome's issue.expression)."""

    fhir_issue = "not-supported"

    def __init__(self, detail: str, expression: str) -> None:
        super().__init__(detail, field=expression)
