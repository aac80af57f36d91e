"""After signing in she lands on the page she asked for, and only ever on a page of the portal."""

from __future__ import annotations

import pytest

from services.portal.domain import return_to


def test_a_page_of_the_portal_with_its_query_is_returned_to() -> None:
    assert return_to.requested("/referrals/abc/messages", "") == "/referrals/abc/messages"
    assert return_to.requested("/inbox", "status=submitted") == "/inbox?status=submitted"
    assert return_to.landing("/coordination") == "/coordination"


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/inbox",  # another host to a browser
        "/\\evil.example",
        "https://evil.example/",
        "evil.example",
        "/inbox\r\nSet-Cookie: x=1",
        "/" + "a" * return_to.MAX_LENGTH,
        "",
        None,
    ],
)
def test_anything_but_a_local_path_lands_at_home(target: str | None) -> None:
    assert return_to.local_path(target) is None
    assert return_to.landing(target) == return_to.HOME


@pytest.mark.parametrize("path", ["/", "/sign-in", "/sign-in/code", "/sign-out", "/invitations/t"])
def test_the_sign_in_itself_is_not_returned_to(path: str) -> None:
    assert return_to.requested(path, "") is None
