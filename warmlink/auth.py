"""Bearer JWT authentication shared by every service.

Tokens are signed by the network's key (Ed25519, EdDSA) and carry the caller's organization and
role. Every endpoint except health and docs depends on `authenticated`; role checks use
`require_role`. Organization scoping is done by the handlers' queries: another organization's
record is simply not found (404), so its existence never leaks.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import httpx
import jwt
from cryptography.hazmat.primitives import serialization
from fastapi import Depends, Request

from warmlink.problems import Forbidden, Unauthorized
from warmlink.roles import PersonRole, Role, person_role_fits

__all__ = ["Caller", "CallerDep", "PersonRole", "Role", "TokenVerifier", "require_role"]

log = logging.getLogger(__name__)

ALGORITHM = "EdDSA"
DEV_KID = "dev"  # development tokens (`warmlink token`) carry this key id
# How long a fetched JWKS document is used before the next request fetches it again: also how long
# a token of an organization the directory has just suspended still works (the document lists them).
JWKS_MAX_AGE_S = 60.0
# The JWKS member (RFC 7517 lets a set carry members a reader may ignore) that lists the ids of
# organizations the directory has suspended: their tokens are refused, even ones issued before.
SUSPENDED_MEMBER = "warmlink_suspended_organizations"
# The longest lifetime (exp - iat) a token may have; the directory issues 10-minute tokens.
MAX_TOKEN_LIFETIME_S = 3600
# How far the issuer's clock and ours may disagree: a token is still accepted this long after its
# exp, and its nbf/iat may lie this far in the future. Without it, a host whose clock ran a second
# behind the directory's refused a token the directory had just issued.
CLOCK_LEEWAY_S = 30.0
# An unknown key id triggers a fetch at most this often: garbage tokens cannot flood the issuer.
JWKS_MIN_INTERVAL_S = 1.0
# A key id the JWKS document did not have is refused at once for this long (no fetch, no wait).
UNKNOWN_KID_TTL_S = 10.0
VERIFIED_CACHE_SIZE = 10_000
# Where warmlink.guard leaves the caller it authenticated before the route's dependencies ran.
CALLER_SCOPE_KEY = "warmlink.caller"
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="warmlink"'}


PERSON_PREFIX = "person:"  # a person's token: `sub` is person:<uuid>


@dataclass(frozen=True)
class Caller:
    """Who calls. A machine client's token names the client; a person's token (the portal's
    token exchange at the directory) names the person in `subject` (`person:<uuid>`), her
    `person_role`, and the client acting for her in `acting_client`."""

    subject: str
    organization_id: str
    role: Role
    person_role: PersonRole | None = None
    acting_client: str | None = None

    @property
    def person_id(self) -> str | None:
        if self.person_role is None:
            return None
        return self.subject.removeprefix(PERSON_PREFIX)


class TokenVerifier:
    """Checks signature (by key id), expiry, audience and issuer.

    Keys come from up to three places: a static key file (development tokens, kid "dev"), the
    network's JWKS document (fetched, cached for 5 minutes, fetched again when an unknown kid
    appears, at most once a second, shared by every request waiting; see `refresh_for`), and a
    local source (the directory, which holds the signing keys itself).
    """

    def __init__(
        self,
        audience: str,
        issuer: str,
        static: Mapping[str, Any] | None = None,
        jwks_url: str | None = None,
        local: Callable[[], Mapping[str, Any]] | None = None,
        unknown_kid_ttl_s: float = UNKNOWN_KID_TTL_S,
        *,
        max_lifetime_s: float = MAX_TOKEN_LIFETIME_S,
        jwks_max_age_s: float = JWKS_MAX_AGE_S,
        dev_kid_allowed: bool = True,
        leeway_s: float = CLOCK_LEEWAY_S,
    ) -> None:
        self.audience, self.issuer = audience, issuer
        self._static = dict(static or {})
        self._jwks_url = jwks_url
        self._jwks: dict[str, Any] = {}
        self._suspended: frozenset[str] = frozenset()  # from the last JWKS document fetched
        self.max_lifetime_s, self.jwks_max_age_s = max_lifetime_s, jwks_max_age_s
        self.dev_kid_allowed = dev_kid_allowed  # False in production: kid "dev" is refused
        self.leeway_s = leeway_s
        self._fetched_at = -1e9
        self._fetch: asyncio.Task[None] | None = None  # the one JWKS fetch requests share
        self._unknown: dict[str | None, float] = {}  # key id -> unknown until (monotonic)
        self._fetch_succeeded = False
        self.unknown_kid_ttl_s = unknown_kid_ttl_s
        self._http: httpx.AsyncClient | None = None
        self._verified: dict[str, tuple[Caller, float]] = {}
        self.local = local

    @classmethod
    def from_file(cls, path: Path, audience: str, issuer: str, **kwargs: Any) -> TokenVerifier:
        key = serialization.load_pem_public_key(path.read_bytes())
        return cls(audience, issuer, static={DEV_KID: key}, **kwargs)

    def _key(self, kid: str | None) -> Any:
        if kid == DEV_KID and not self.dev_kid_allowed:
            return None
        if kid is None:
            return next(iter(self._static.values())) if len(self._static) == 1 else None
        for source in (self._static, self._jwks, self.local() if self.local else {}):
            if kid in source:
                return source[kid]
        return None

    async def refresh_for(self, token: str) -> None:
        """Fetch the JWKS document if the token names a key we have not seen.

        Requests with unknown key ids share one fetch, at most one per JWKS_MIN_INTERVAL_S, and
        never queue behind each other: every request waiting when the fetch ends is answered by
        it. A key id that fetch did not find is remembered as unknown (`unknown_kid_ttl_s`), so
        further tokens naming it are refused at once, with no fetch and no wait. A new key right
        after a fetch (a rotation) waits for the next allowed fetch rather than failing."""
        if self._jwks_url is None:
            return
        if token in self._verified and not self._jwks_stale():
            return  # its key was known when it was verified; skip parsing the header again
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.InvalidTokenError:
            return
        if not self._jwks_stale():
            if self._key(kid) is not None:
                return
            if self._unknown.get(kid, 0.0) > time.monotonic():
                return  # unknown at a recent fetch: refused at once by verify()
        await self._shared_fetch()
        if self._key(kid) is None and self._fetch_succeeded:  # a failed fetch proves nothing
            if len(self._unknown) >= VERIFIED_CACHE_SIZE:
                self._unknown.clear()
            self._unknown[kid] = time.monotonic() + self.unknown_kid_ttl_s

    async def _shared_fetch(self) -> None:
        """The one JWKS fetch every waiter shares (started if none is under way)."""
        if self._fetch is None or self._fetch.done():
            self._fetch = asyncio.create_task(self._fetch_when_allowed(), name="jwks-fetch")
        await asyncio.shield(self._fetch)  # one request cancelled does not cancel the others'

    async def suspended_organizations(self) -> frozenset[str]:
        """The organizations the directory lists as suspended, by a JWKS document no older than
        `jwks_max_age_s` (fetched again, the fetch shared with requests, when older): for what
        outlives a request, such as an open stream or a webhook queue."""
        if self._jwks_url is not None and self._jwks_stale():
            await self._shared_fetch()
        return self._suspended

    async def _fetch_when_allowed(self) -> None:
        wait = self._fetched_at + JWKS_MIN_INTERVAL_S - time.monotonic()
        if wait > 0 and not self._jwks_stale():
            await asyncio.sleep(wait)
        await self.refresh()

    async def close(self) -> None:
        if self._fetch is not None:
            self._fetch.cancel()
        if self._http is not None:
            await self._http.aclose()

    def _jwks_stale(self) -> bool:
        return time.monotonic() - self._fetched_at > self.jwks_max_age_s

    async def refresh(self) -> None:
        assert self._jwks_url is not None
        self._fetched_at = time.monotonic()
        if self._http is None:  # one client: building one per fetch costs a TLS context each time
            self._http = httpx.AsyncClient(timeout=5)
        try:
            response = await self._http.get(self._jwks_url)
            response.raise_for_status()
            document = response.json()
            jwks = {k["kid"]: jwt.PyJWK(k).key for k in document["keys"]}
            self._suspended = frozenset(map(str, document.get(SUSPENDED_MEMBER, ())))
            if jwks.keys() != self._jwks.keys():
                self._verified.clear()  # a withdrawn key must not live on in the cache
            self._jwks = jwks
            self._fetch_succeeded = True
        except (httpx.HTTPError, KeyError, ValueError, jwt.PyJWKError) as exc:
            self._fetch_succeeded = False
            log.warning("JWKS refresh failed", extra={"error": type(exc).__name__})

    def verify(self, token: str) -> Caller:
        """Verify a token; a token already verified is answered from a small cache until it
        expires (a signature check costs ~140 us, more than the rest of a cheap request)."""
        cached = self._verified.get(token)
        if cached is not None and cached[1] + self.leeway_s > time.time():
            return self._not_suspended(cached[0])
        caller, expires = self._verify(token)
        if len(self._verified) >= VERIFIED_CACHE_SIZE:
            self._verified.clear()  # crude but bounded; tokens are short-lived anyway
        self._verified[token] = (caller, expires)
        return self._not_suspended(caller)

    def _not_suspended(self, caller: Caller) -> Caller:
        if caller.organization_id in self._suspended:
            raise Unauthorized(
                "The token's organization is suspended from the network.", headers=_CHALLENGE
            ).because("organization_suspended")
        return caller

    def _verify(self, token: str) -> tuple[Caller, float]:
        try:
            key = self._key(jwt.get_unverified_header(token).get("kid"))
            if key is None:
                raise Unauthorized(
                    "The token is signed by a key this network does not know.", headers=_CHALLENGE
                ).because("key_unknown")
            claims = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway_s,
                options={"require": ["exp", "iat", "sub", "aud", "iss"]},
            )
            if float(claims["exp"]) - float(claims["iat"]) > self.max_lifetime_s:
                raise Unauthorized(
                    f"The token lives longer than this network allows ({self.max_lifetime_s:g} s).",
                    headers=_CHALLENGE,
                ).because("token_lifetime_too_long")
            return _caller(claims), float(claims["exp"])
        except jwt.ExpiredSignatureError:
            raise Unauthorized("The token has expired.", headers=_CHALLENGE).because(
                "token_expired"
            ) from None
        except (jwt.InvalidTokenError, KeyError, TypeError, ValueError):
            raise Unauthorized(
                "The token is not valid for this network.", headers=_CHALLENGE
            ).because("token_invalid") from None


def _caller(claims: Mapping[str, Any]) -> Caller:
    """The caller a verified token names. A person's token must say who acts for her (`act`)
    and carry a person role that fits its access role; anything else is not a person token."""
    subject, role = str(claims["sub"]), Role(claims["role"])
    if "person_role" not in claims and not subject.startswith(PERSON_PREFIX):
        return Caller(subject, str(claims["org"]), role)
    person_role = PersonRole(claims["person_role"])
    actor = claims["act"]["sub"]
    if not subject.startswith(PERSON_PREFIX) or not person_role_fits(role, person_role):
        raise ValueError("not a person token")
    return Caller(subject, str(claims["org"]), role, person_role, str(actor))


async def authenticated(request: Request) -> Caller:
    known: Caller | None = request.scope.get(CALLER_SCOPE_KEY)
    if known is not None:  # authenticated already, before the body was read (warmlink.guard)
        return known
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("A bearer token is required.", headers=_CHALLENGE).because(
            "token_missing"
        )
    verifier: TokenVerifier | None = getattr(request.app.state, "verifier", None)
    if verifier is None:
        raise Unauthorized(
            "This service has no verification key configured.", headers=_CHALLENGE
        ).because("no_verification_key")
    await verifier.refresh_for(token.strip())
    return verifier.verify(token.strip())


CallerDep = Annotated[Caller, Depends(authenticated)]


def require_role(*roles: Role) -> object:
    """A dependency that admits only callers holding one of `roles`."""

    # async: FastAPI runs a plain `def` dependency in a worker thread, a hop per request.
    async def check(caller: CallerDep) -> Caller:
        if caller.role not in roles:
            allowed = ", ".join(roles)
            raise Forbidden(f"This action needs the role {allowed}; the token has {caller.role}.")
        return caller

    return Depends(check)
