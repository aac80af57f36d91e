"""What the directory refuses, as `warmlink.errors` kinds: the HTTP edge maps them once.

The token endpoint is the one place that answers a refusal in a shape of its own (OAuth's
``invalid_client``, 401): its route turns `ClientRefused` into that problem.
"""

from __future__ import annotations

from warmlink.errors import Conflict, Invalid, NotAllowed, NotFound


class NoSuchOrganization(NotFound):
    def __init__(self, org_id: str) -> None:
        super().__init__(f"No organization {org_id}.")


class NetworkOrganizationKept(Conflict):
    """The network's own organization (kind `network`) is where its administrators' tokens come
    from: suspending it or changing its kind would lock every administrator out."""

    def __init__(self, org_id: str, field: str, change: str) -> None:
        super().__init__(
            f"{org_id} is the network's own organization: it cannot be {change}, or no"
            " administrator could act again",
            field=field,
        )


class NoSuchService(NotFound):
    def __init__(self, service_id: str) -> None:
        super().__init__(f"No service {service_id}.")


class NotAPractice(Invalid):
    """Services are listed only by receiving practices."""

    def __init__(self, org_id: str) -> None:
        super().__init__(f"{org_id} is not a receiving practice", field="/")


class PracticeTypeMismatch(Invalid):
    def __init__(self) -> None:
        super().__init__(
            "practice_type is required for, and only for, practices", field="/practice_type"
        )


class OwnedElsewhere(NotAllowed):
    """A location or service id that another organization already holds."""

    def __init__(self, what: str) -> None:
        super().__init__(f"{what} belongs to another organization.")


class BackdatingNotAllowed(Invalid):
    """`verified_at` lets demo data look weeks old; a real network only confirms capacity now."""

    def __init__(self) -> None:
        super().__init__(
            "verified_at is accepted only when the directory runs in development.",
            field="/verified_at",
        )


class InvalidMatchRequest(Invalid, ValueError):
    """A match request that cannot be served; ``field`` is a JSON pointer such as ``"/plan"``.
    The matching route answers it about the query parameter of that name."""

    def __init__(self, field: str, detail: str) -> None:
        super().__init__(detail, field=field)

    def __str__(self) -> str:
        return f"{self.field}: {self.detail}"


class ClientRefused(NotAllowed):
    """Unknown client, wrong secret, or an organization suspended from the network."""


class NotYourListing(NotAllowed):
    def __init__(self) -> None:
        super().__init__("A practice may change only its own listing.")


class PeopleClientOutsideNetwork(NotAllowed):
    """A client that acts for people can name anyone in the network: only the network holds one."""

    def __init__(self) -> None:
        super().__init__(
            "Only the network's organization may have a client that acts for people.",
            field="/acts_for_people",
        )


class ExchangeRefused(Invalid):
    """A token exchange (RFC 8693) that cannot be granted; OAuth calls it `invalid_request`."""

    def __init__(self, detail: str, field: str) -> None:
        super().__init__(detail, field=field)


class PartnersNotYours(NotAllowed):
    """A site's preferred practices are kept by its site coordinator (or its own system)."""

    def __init__(self) -> None:
        super().__init__("Only the site coordinator keeps the site's preferred practices.")


class UnknownPractice(Invalid):
    def __init__(self, position: int, practice_id: str) -> None:
        super().__init__(
            f"{practice_id} is not a receiving practice of the network",
            field=f"/practice_ids/{position}",
        )
