"""Where a person lands after signing in: the page she asked for when the portal sent her to sign
in (an alert's or a thread mail's link, a bookmark), else home.

Kept in a short-lived cookie, not a query parameter, so the password, code and organization
sign-in steps need not carry it; only a path of this portal is ever followed (never another
host), so the cookie cannot be turned into an open redirect.
"""

from __future__ import annotations

COOKIE = "warmlink_return_to"
MAX_AGE_S = 15 * 60  # long enough to find the code in the authenticator app
MAX_LENGTH = 512
HOME = "/"
# Pages that are the sign-in itself, or that only make sense as a step of it.
NOT_RETURNED_TO = ("/sign-in", "/sign-out", "/invitations/")


def local_path(text: str | None) -> str | None:
    """`text` when it is a path of this portal worth returning to, else None."""
    if not text or len(text) > MAX_LENGTH or not text.startswith("/"):
        return None
    if text.startswith("//") or "\\" in text or any(ord(c) < 0x21 for c in text):
        return None  # //host and \\host are other hosts to a browser; controls are never a path
    if text == HOME or text.startswith(NOT_RETURNED_TO):
        return None
    return text


def requested(path: str, query: str) -> str | None:
    """The page a signed-out GET asked for, as it will be returned to."""
    return local_path(f"{path}?{query}" if query else path)


def landing(cookie: str | None) -> str:
    """Where to go once signed in."""
    return local_path(cookie) or HOME
