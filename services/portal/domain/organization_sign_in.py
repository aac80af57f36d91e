"""Signing in through an organization's own identity provider (OpenID Connect, authorization code
with PKCE): the provider as registered, the sign-in under way, and what an ID token must show
before it names one of the organization's people. No I/O.

Everything that can go wrong is one `OrganizationSignInRefused` with an `outcome` (recorded in
the sign-in events) and a sentence a person can act on.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from services.portal.domain.errors import OrganizationSignInRefused

# A clock a little off at either end: iat may be this far ahead, exp this far behind.
LEEWAY = timedelta(seconds=60)
# RFC 8176 methods a person holds (a device, a key, a one-time code): beside another method,
# the sign-in used two factors.
POSSESSION = {"hwk", "swk", "otp", "sms", "tel", "sc"}
DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


@dataclass(frozen=True)
class IdentityProvider:
    id: UUID
    organization_id: str
    display_name: str  # the link on the sign-in page: "Sign in with <display_name>"
    issuer: str
    client_id: str
    client_secret: str  # opened (it is sealed at rest)
    email_domains: tuple[str, ...]
    mfa_trusted: bool  # its multi-factor sign-in stands in for the portal's TOTP


@dataclass(frozen=True)
class PendingSignIn:
    """What the portal keeps between sending the browser to the provider and its return: the
    browser holds only `state` (in the URL) and the binding (a cookie), both kept as digests."""

    state_sha256: bytes
    binding_sha256: bytes
    provider_id: UUID
    nonce: str
    code_verifier: str  # opened (it is sealed at rest)
    created_at: datetime


@dataclass(frozen=True)
class Started:
    pending: PendingSignIn
    state: str
    binding: str  # the browser's cookie: the return must come to the browser that left
    code_challenge: str


def start(provider: IdentityProvider, now: datetime) -> Started:
    state, binding, nonce = (secrets.token_urlsafe(32) for _ in range(3))
    verifier = secrets.token_urlsafe(48)  # 64 characters, within RFC 7636's 43 to 128
    pending = PendingSignIn(digest(state), digest(binding), provider.id, nonce, verifier, now)
    return Started(pending, state, binding, s256(verifier))


def authorization_url(
    endpoint: str, provider: IdentityProvider, started: Started, redirect_uri: str
) -> str:
    """Where the browser goes to sign in at the provider (OpenID Connect Core 3.1.2.1)."""
    query = {
        "response_type": "code",
        "client_id": provider.client_id,
        "redirect_uri": redirect_uri,
        "scope": "openid email",
        "state": started.state,
        "nonce": started.pending.nonce,
        "code_challenge": started.code_challenge,
        "code_challenge_method": "S256",
    }
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(query)}"


def s256(verifier: str) -> str:
    """RFC 7636's S256 code challenge."""
    hashed = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(hashed).rstrip(b"=").decode()


def digest(value: str) -> bytes:
    return hashlib.sha256(value.encode()).digest()


def issuer_error(issuer: str, allow_http: bool) -> str | None:
    """An issuer is an https URL (http only outside production, for a provider on this host)."""
    if not secure_url(issuer, allow_http) or "?" in issuer or "#" in issuer:
        return "Enter the provider's issuer, an https:// URL without query or fragment."
    return None


def secure_url(url: str, allow_http: bool) -> bool:
    """The provider's endpoints too: its secret and codes never cross plain http in production."""
    return url.startswith(("https://", "http://") if allow_http else ("https://",))


def check_return(
    pending: PendingSignIn | None, binding: str | None, lasts: timedelta, now: datetime
) -> PendingSignIn:
    """The sign-in the browser came back for: known, not used before, its own, and recent."""
    if pending is None:
        raise OrganizationSignInRefused("state_refused", ALREADY_USED)
    if binding is None or not secrets.compare_digest(digest(binding), pending.binding_sha256):
        raise OrganizationSignInRefused("state_refused", OTHER_BROWSER)
    if now - pending.created_at >= lasts:
        raise OrganizationSignInRefused("state_refused", TOO_SLOW)
    return pending


def check_id_token(
    claims: Mapping[str, Any], provider: IdentityProvider, nonce: str, now: datetime
) -> None:
    """An ID token's claims (its signature already checked): OpenID Connect Core 3.1.3.7."""
    if claims.get("iss") != provider.issuer:
        raise OrganizationSignInRefused("wrong_issuer", NOT_ACCEPTED)
    audience = claims.get("aud")
    audiences = [audience] if isinstance(audience, str) else list(audience or [])
    if provider.client_id not in audiences:
        raise OrganizationSignInRefused("wrong_audience", NOT_ACCEPTED)
    if len(audiences) > 1 and claims.get("azp") != provider.client_id:
        raise OrganizationSignInRefused("wrong_audience", NOT_ACCEPTED)
    expires, issued = _instant(claims.get("exp")), _instant(claims.get("iat"))
    if expires is None or issued is None or not claims.get("sub"):
        raise OrganizationSignInRefused("bad_token", NOT_ACCEPTED)
    if expires + LEEWAY <= now or issued - LEEWAY > now:
        raise OrganizationSignInRefused("token_expired", EXPIRED)
    if not isinstance(claims.get("nonce"), str) or not secrets.compare_digest(
        str(claims["nonce"]), nonce
    ):
        raise OrganizationSignInRefused("bad_nonce", NOT_ACCEPTED)


def verified_email(claims: Mapping[str, Any], provider: IdentityProvider) -> str | None:
    """The token's email if the provider vouches for it and its domain signs in through it."""
    email = claims.get("email")
    if not isinstance(email, str) or claims.get("email_verified") is not True:
        return None
    return email if email_domain(email) in provider.email_domains else None


def shows_mfa(provider: IdentityProvider, claims: Mapping[str, Any]) -> bool:
    """True when the portal's own second factor may be skipped: the provider is trusted for it
    and its `amr` says this sign-in used more than one factor."""
    if not provider.mfa_trusted:
        return False
    amr = claims.get("amr")
    methods = {m for m in amr if isinstance(m, str)} if isinstance(amr, list) else set()
    return "mfa" in methods or (bool(methods & POSSESSION) and len(methods) >= 2)


def email_domain(email: str) -> str:
    return email.rpartition("@")[2].strip().lower()


def domain_errors(domains: Iterable[str]) -> str | None:
    found = list(domains)
    if not found:
        return "Name at least one email domain."
    wrong = [d for d in found if not DOMAIN.match(d)]
    return f"Not an email domain: {', '.join(wrong)}." if wrong else None


def _instant(value: object) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return datetime.fromtimestamp(value, UTC)


ALREADY_USED = (
    "This sign-in link was already used or is not known. Start again from the sign-in page."
)
OTHER_BROWSER = "This sign-in was started in another browser. Start again from the sign-in page."
TOO_SLOW = "This sign-in took too long. Start again from the sign-in page."
NOT_ACCEPTED = (
    "Your organization's sign-in could not be accepted. Try again, and if it happens again tell "
    "your organization's administrator."
)
EXPIRED = "Your organization's sign-in had expired. Start again from the sign-in page."
NO_ACCOUNT = (
    "Your organization's account is not linked to a Warmlink account. Ask your site's "
    "coordinator to add you."
)
PROVIDER_DOWN = (
    "Your organization's sign-in service did not answer. Try again in a few minutes, or sign in "
    "with your email and password."
)
DISABLED = "Your account was disabled by your organization."
LINKED_ELSEWHERE = (
    "Your Warmlink account is linked to another account at your organization. Ask your site's "
    "coordinator."
)
NOT_SET_UP = "Signing in through your organization is not set up here. Sign in with your password."
