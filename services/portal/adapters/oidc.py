"""Organizations' identity providers over HTTP: discovery and keys (kept a while), the code
exchange, and an ID token's signature. Which claims a token must carry is the domain's to say
(domain/organization_sign_in.py); here only its signature is checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx
import jwt

from services.portal.domain.errors import OrganizationSignInRefused
from services.portal.domain.organization_sign_in import (
    NOT_ACCEPTED,
    PROVIDER_DOWN,
    IdentityProvider,
    secure_url,
)

# RS256 and ES256 only: never `none`, never an HMAC keyed with something public.
ALGORITHMS = ("RS256", "ES256")
# A key id not in the cached set is looked up again, but not more often than this.
REFETCH_KEYS_AFTER = timedelta(seconds=30)


@dataclass(frozen=True)
class Discovery:
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str


@dataclass(frozen=True)
class _Kept:
    value: Any
    at: datetime


class ProviderDown(OrganizationSignInRefused):
    def __init__(self) -> None:
        super().__init__("provider_down", PROVIDER_DOWN)


class OidcProviders:
    def __init__(self, timeout_s: float, keep_for: timedelta, allow_http: bool) -> None:
        self._http = httpx.AsyncClient(timeout=timeout_s, follow_redirects=False)
        self._keep_for = keep_for
        self._allow_http = allow_http
        self._discovered: dict[str, _Kept] = {}
        self._keys: dict[str, _Kept] = {}

    async def close(self) -> None:
        await self._http.aclose()

    async def discover(self, issuer: str, now: datetime) -> Discovery:
        kept = self._discovered.get(issuer)
        if kept is not None and now - kept.at < self._keep_for:
            found: Discovery = kept.value
            return found
        document = await self._get_json(issuer.rstrip("/") + "/.well-known/openid-configuration")
        # OpenID Connect Discovery 4.3: the document must name the issuer it was asked for.
        if document.get("issuer") != issuer:
            raise OrganizationSignInRefused("bad_discovery", NOT_ACCEPTED)
        try:
            discovery = Discovery(
                str(document["authorization_endpoint"]),
                str(document["token_endpoint"]),
                str(document["jwks_uri"]),
            )
        except KeyError:
            raise ProviderDown() from None
        if not all(secure_url(url, self._allow_http) for url in discovery.__dict__.values()):
            raise OrganizationSignInRefused("bad_discovery", NOT_ACCEPTED)
        self._discovered[issuer] = _Kept(discovery, now)
        return discovery

    async def exchange(
        self,
        provider: IdentityProvider,
        discovery: Discovery,
        code: str,
        code_verifier: str,
        redirect_uri: str,
    ) -> str:
        """The ID token for an authorization code (client_secret_basic, RFC 6749 2.3.1)."""
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": code_verifier,
        }
        auth = (quote(provider.client_id, safe=""), quote(provider.client_secret, safe=""))
        try:
            answer = await self._http.post(discovery.token_endpoint, data=form, auth=auth)
        except httpx.HTTPError:
            raise ProviderDown() from None
        if answer.status_code >= 500:
            raise ProviderDown()
        if answer.status_code != 200:
            raise OrganizationSignInRefused("code_refused", NOT_ACCEPTED)
        try:
            id_token = answer.json()["id_token"]
        except (ValueError, KeyError, TypeError):
            raise OrganizationSignInRefused("bad_token", NOT_ACCEPTED) from None
        if not isinstance(id_token, str):
            raise OrganizationSignInRefused("bad_token", NOT_ACCEPTED)
        return id_token

    async def signed_claims(self, discovery: Discovery, id_token: str, now: datetime) -> Any:
        """The token's claims once its signature checks out against the provider's keys."""
        try:
            header = jwt.get_unverified_header(id_token)
        except jwt.PyJWTError:
            raise OrganizationSignInRefused("bad_token", NOT_ACCEPTED) from None
        algorithm = header.get("alg")
        if algorithm not in ALGORITHMS:
            raise OrganizationSignInRefused("bad_token", NOT_ACCEPTED)
        key = await self._key(discovery.jwks_uri, header.get("kid"), now)
        if key is None:
            raise OrganizationSignInRefused("bad_token", NOT_ACCEPTED)
        try:
            # The claims are checked by the domain against the portal's clock, not PyJWT's.
            return jwt.decode(
                id_token,
                jwt.PyJWK(key, algorithm=algorithm).key,
                algorithms=[algorithm],
                options={
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_nbf": False,
                    "verify_aud": False,
                    "verify_iss": False,
                },
            )
        except jwt.PyJWTError:
            raise OrganizationSignInRefused("bad_token", NOT_ACCEPTED) from None

    async def _key(self, jwks_uri: str, kid: object, now: datetime) -> dict[str, Any] | None:
        kept = self._keys.get(jwks_uri)
        fresh = kept is not None and now - kept.at < self._keep_for
        key = _pick(kept.value if kept else [], kid)
        if key is not None and fresh:
            return key
        if kept is not None and fresh and now - kept.at < REFETCH_KEYS_AFTER:
            return None  # just fetched: an unknown key id stays unknown for a moment
        keys = (await self._get_json(jwks_uri)).get("keys")
        self._keys[jwks_uri] = _Kept(keys if isinstance(keys, list) else [], now)
        return _pick(self._keys[jwks_uri].value, kid)

    async def _get_json(self, url: str) -> dict[str, Any]:
        try:
            answer = await self._http.get(url)
            document = answer.json() if answer.status_code == 200 else None
        except (httpx.HTTPError, ValueError):
            raise ProviderDown() from None
        if not isinstance(document, dict):
            raise ProviderDown()
        return document


def _pick(keys: list[Any], kid: object) -> dict[str, Any] | None:
    usable = [k for k in keys if isinstance(k, dict) and k.get("use", "sig") == "sig"]
    if kid is None:
        return usable[0] if len(usable) == 1 else None
    return next((k for k in usable if k.get("kid") == kid), None)
