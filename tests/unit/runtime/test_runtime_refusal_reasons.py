"""The reason code a refused request's audit row carries (warmlink.guard.refusal_reason)."""

from warmlink.errors import NotAllowed
from warmlink.guard import refusal_reason
from warmlink.problems import Forbidden, Unauthorized


class ClientRefused(NotAllowed):
    """A service's own refusal, as the directory's wrong client secret."""


def test_each_refusal_has_its_code() -> None:
    assert refusal_reason(Unauthorized("expired").because("token_expired")) == "token_expired"
    assert refusal_reason(Unauthorized("no reason given")) == "unauthenticated"
    assert refusal_reason(Forbidden("needs admin")) == "role_not_allowed"
    assert refusal_reason(NotAllowed("not yours")) == "not_allowed"
    assert refusal_reason(ClientRefused("wrong secret")) == "client_refused"
