"""The other services' public APIs, called for a person with a token that names her.

The directory exchanges the portal's client credentials and the person's identity for a
short-lived token (RFC 8693, docs/api.md "Network identity"); tokens are kept in memory until
shortly before they expire. Nothing here reads another service's tables.

Each service has a keep-alive connection pool of its own: httpx's pool checks every connection
it holds (a poll() on each idle socket) when a request joins or leaves it, so one pool for all
four services made every call pay for the other three's connections (a tenth of the worklist
page's CPU, py-spy under bench-portal).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
import jwt

from services.portal.settings import PortalSettings
from warmlink.roles import PersonRole, Role
from warmlink.tokens import PERSON_TOKEN_TYPE, TOKEN_EXCHANGE

# A token is used until this long before it expires (a request must not outlive it).
MARGIN_S = 30
# Listings change when an organization edits its entry: a page may show one a minute old.
LISTING_TTL_S = 60.0


@dataclass(frozen=True)
class Identity:
    person_id: str
    organization_id: str
    role: PersonRole


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def errors(self) -> list[tuple[str, str]]:
        """A problem+json answer's (pointer or parameter, detail) pairs."""
        if not isinstance(self.body, dict):
            return []
        return [
            (str(e.get("pointer") or e.get("parameter") or ""), str(e.get("detail")))
            for e in self.body.get("errors") or []
        ]

    @property
    def detail(self) -> str | None:
        return (
            str(self.body["detail"])
            if isinstance(self.body, dict) and "detail" in self.body
            else None
        )

    def field_errors(self) -> dict[str, str]:
        """A problem+json answer's errors by field name (`#/outcome` -> `outcome`)."""
        if not isinstance(self.body, dict):
            return {}
        found: dict[str, str] = {}
        for error in self.body.get("errors") or []:
            where = str(error.get("pointer") or error.get("parameter") or "")
            found.setdefault(where.removeprefix("#/").split("/")[0], str(error.get("detail")))
        return found


class Refused(Exception):
    """The directory would not give the person a token (organization gone, role not fitting)."""

    def __init__(self, answer: Answer) -> None:
        super().__init__(f"token exchange refused: {answer.status}")
        self.answer = answer


class Network:
    def __init__(self, settings: PortalSettings) -> None:
        self.settings = settings
        self._http = httpx.AsyncClient(timeout=settings.api_timeout_s)
        self._pools = {
            _origin(url): httpx.AsyncClient(timeout=settings.api_timeout_s)
            for url in (
                settings.screening_url,
                settings.directory_url,
                settings.referral_url,
                settings.followup_url,
            )
        }
        self._tokens: dict[Identity, tuple[str, float]] = {}
        self._listings: dict[str, tuple[Answer, float]] = {}

    async def close(self) -> None:
        for client in [self._http, *self._pools.values()]:
            await client.aclose()

    async def exchange(self, who: Identity) -> tuple[str, Role, float]:
        """A fresh token for the person: the token, her access role, when it expires."""
        response = await self._http.post(
            f"{self.settings.directory_url}/oauth/token",
            data={
                "grant_type": TOKEN_EXCHANGE,
                "subject_token": f"person:{who.person_id}",
                "subject_token_type": PERSON_TOKEN_TYPE,
                "organization_id": who.organization_id,
                "person_role": str(who.role),
            },
            auth=self.settings.client_credentials(),
        )
        if response.status_code != 200:
            raise Refused(Answer(response.status_code, _json(response)))
        token = str(response.json()["access_token"])
        # From the issuer itself, over the portal's own request: read, not verified again.
        claims = jwt.decode(token, options={"verify_signature": False})
        return token, Role(claims["role"]), float(claims["exp"])

    async def token_for(self, who: Identity) -> str:
        kept = self._tokens.get(who)
        if kept is not None and kept[1] - MARGIN_S > time.time():
            return kept[0]
        token, _, expires = await self.exchange(who)
        if len(self._tokens) > 10_000:
            self._tokens.clear()
        self._tokens[who] = (token, expires)
        return token

    def forget(self, person_id: str) -> None:
        """A disabled person's tokens are dropped at once."""
        for who in [w for w in self._tokens if w.person_id == person_id]:
            del self._tokens[who]

    async def call(
        self, who: Identity, method: str, url: str, json: object = None, **headers: str
    ) -> Answer:
        response = await self._send(who, method, url, headers, json=json)
        return Answer(response.status_code, _json(response))

    async def _send(
        self, who: Identity, method: str, url: str, headers: dict[str, str], **request: Any
    ) -> httpx.Response:
        """One request for her, with her token, on the pool of the service it goes to."""
        token = await self.token_for(who)
        client = self._pools.get(_origin(url), self._http)
        headers = {"Authorization": f"Bearer {token}", **headers}
        return await client.request(method, url, headers=headers, **request)

    async def directory(
        self, who: Identity, path: str, method: str = "GET", json: object = None
    ) -> Answer:
        return await self.call(who, method, self.settings.directory_url + path, json)

    async def screening(
        self, who: Identity, method: str, path: str, json: object = None, **headers: str
    ) -> Answer:
        return await self.call(who, method, self.settings.screening_url + path, json, **headers)

    async def listing(self, who: Identity, org_id: str) -> Answer:
        """An organization's directory listing (name, locations, services, intake lines), the
        same for every caller: kept LISTING_TTL_S, so pages do not ask for it each time."""
        kept = self._listings.get(org_id)
        if kept is not None and kept[1] > time.monotonic():
            return kept[0]
        answer = await self.directory(who, f"/v1/organizations/{quote(org_id, safe='')}/listing")
        if answer.ok:
            if len(self._listings) > 1_000:
                self._listings.clear()
            self._listings[org_id] = (answer, time.monotonic() + LISTING_TTL_S)
        return answer

    def forget_listing(self, org_id: str) -> None:
        """An organization's listing changed through the portal: the next page reads it anew."""
        self._listings.pop(org_id, None)

    async def followup(
        self, who: Identity, path: str, method: str = "GET", json: object = None
    ) -> Answer:
        return await self.call(who, method, self.settings.followup_url + path, json)

    async def followup_csv(self, who: Identity, path: str) -> tuple[int, str]:
        """A CSV the follow-up service answers (the monthly report), as its text."""
        url = self.settings.followup_url + path
        response = await self._send(who, "GET", url, {"Accept": "text/csv"})
        return response.status_code, response.text

    async def referral(
        self, who: Identity, method: str, path: str, json: object = None, **headers: str
    ) -> Answer:
        return await self.call(who, method, self.settings.referral_url + path, json, **headers)

    async def referral_csv(self, who: Identity, path: str) -> tuple[int, str]:
        """A CSV the referral service answers (the monthly review), as its text."""
        url = self.settings.referral_url + path
        response = await self._send(who, "GET", url, {"Accept": "text/csv"})
        return response.status_code, response.text

    async def referral_document(
        self, who: Identity, path: str, content: bytes, content_type: str
    ) -> Answer:
        """PUT a document (the discharge summary) to the referral service, the body as is."""
        url = self.settings.referral_url + path
        response = await self._send(
            who, "PUT", url, {"Content-Type": content_type}, content=content
        )
        return Answer(response.status_code, _json(response))

    async def referral_file(self, who: Identity, path: str) -> tuple[int, bytes, str]:
        """A document the referral service answers (a discharge summary): status, bytes, type."""
        response = await self._send(who, "GET", self.settings.referral_url + path, {})
        return response.status_code, response.content, response.headers.get("content-type", "")


def _origin(url: str) -> str:
    """`http://host:port` of a URL (the settings' service URLs may carry a path prefix)."""
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}"


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None
