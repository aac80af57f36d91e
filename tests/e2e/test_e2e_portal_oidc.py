"""People of an organization with its own identity provider sign in through it, in a real
browser (Debian's chromium through Playwright), against a small real OpenID Connect provider
started here (tests/support/oidc_provider.py): authorization code with PKCE, the ID token
checked, the person found in that organization only, her TOTP code asked unless the provider is
trusted for MFA and used it. Every refusal is a readable page and a sign-in event; the new pages
are scanned with axe-core."""

from __future__ import annotations

import asyncio
import secrets
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx
import pyotp
import pytest

from tests.e2e.conftest import Network
from tests.e2e.portal_support import new_page, started_portal
from tests.support.browser import serious_violations
from tests.support.infra import Infrastructure
from tests.support.oidc_provider import OidcProvider, serving_oidc_provider
from tools.dev.people import add_person
from warmlink.auth import Role

SITE, OTHER_SITE, NETWORK = "riverside-ob", "cedar-heights-obgyn", "network-admin"


@dataclass
class Portal:
    net: Network
    url: str

    @property
    def callback(self) -> str:
        return f"{self.url}/sign-in/organization/callback"

    def person(self, org: str, role: str, email: str) -> dict[str, Any]:
        return add_person(self.url, self.net.stack.signing_key, org, role, email=email)

    def query(self, sql: str, *args: object) -> list[Any]:
        """Playwright's sync API runs an event loop in this thread: the query runs in another."""
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, self.net.query("portal", sql, *args)).result()

    def register(
        self, provider: OidcProvider, org: str, domain: str, *, mfa_trusted: bool = True
    ) -> dict[str, Any]:
        """The organization's provider, registered by the network administrator."""
        client_id, client_secret = provider.register(self.callback)
        body = {
            "organization_id": org,
            "display_name": f"{org} ({domain})",
            "issuer": provider.issuer,
            "client_id": client_id,
            "client_secret": client_secret,
            "email_domains": [domain],
            "mfa_trusted": mfa_trusted,
        }
        added = httpx.post(
            f"{self.url}/v1/identity-providers",
            json=body,
            headers=self.net.auth(NETWORK, Role.ADMIN),
        )
        assert added.status_code == 201, added.text
        found: dict[str, Any] = added.json()
        return found

    def last_event(self) -> int:
        return int(self.query("SELECT coalesce(max(id), 0) AS id FROM sign_in_events")[0]["id"])

    def outcomes_since(self, mark: int) -> list[tuple[str | None, str]]:
        rows = self.query(
            "SELECT person_id::text AS who, outcome FROM sign_in_events WHERE id > $1 ORDER BY id",
            mark,
        )
        return [(r["who"], r["outcome"]) for r in rows]


@pytest.fixture(scope="module")
def portal(infra: Infrastructure) -> Iterator[Portal]:
    with started_portal(infra, ["directory", "screening", "referral", "followup"]) as running:
        yield Portal(*running)


@pytest.fixture
def provider() -> Iterator[OidcProvider]:
    with serving_oidc_provider() as running:
        yield running


def fresh_domain() -> str:
    """Each test's own email domain: one domain signs in through one provider."""
    return f"d{secrets.token_hex(3)}.riverside.example"


def member(portal: Portal, provider: OidcProvider, domain: str, org: str = SITE) -> dict[str, Any]:
    """A person of `org` with an address at `domain`, whom the provider signs in."""
    who = portal.person(org, "clinician", email=f"ana.{secrets.token_hex(2)}@{domain}")
    provider.user = {
        "sub": f"sub-{secrets.token_hex(4)}",
        "email": who["email"],
        "email_verified": True,
        "amr": ["pwd", "mfa"],
    }
    return who


class Counted:
    """Her interactions: each click counts one."""

    def __init__(self) -> None:
        self.count = 0

    def click(self, locator: Any) -> None:
        self.count += 1
        locator.click()


def through(page: Any, portal: Portal, registered: dict[str, Any]) -> None:
    """From the sign-in page, one click: the organization's link."""
    page.goto(f"{portal.url}/sign-in")
    page.get_by_role("link", name=f"Sign in with {registered['display_name']}").click()


def test_one_click_through_the_organization_s_provider_into_the_worklist(
    portal: Portal, provider: OidcProvider, browser: Any
) -> None:
    domain = fresh_domain()
    registered = portal.register(provider, SITE, domain, mfa_trusted=True)
    who = member(portal, provider, domain)
    page = new_page(browser)
    mark = portal.last_event()
    page.goto(f"{portal.url}/sign-in")
    assert serious_violations(page) == []
    interactions: list[str] = []
    page.on(
        "framenavigated", lambda f: interactions.append(f.url) if f == page.main_frame else None
    )
    person = Counted()
    person.click(page.get_by_role("link", name=f"Sign in with {registered['display_name']}"))
    page.wait_for_url(f"{portal.url}/")
    print(f"organization sign-in: {person.count} interaction(s) from the sign-in page to home")
    assert person.count == 1
    # The pages the browser landed on: the return (which moves on by itself), then home.
    assert [httpx.URL(u).path for u in interactions][-2:] == [
        "/sign-in/organization/callback",
        "/",
    ]
    assert "signed in as " + who["email"] in page.inner_text("main")
    page.get_by_role("link", name="Worklist").first.click()
    page.wait_for_url("**/worklist")
    assert "Crisis lines" in page.inner_text("main")
    assert serious_violations(page) == []

    (asked,) = provider.authorize_requests
    assert asked["response_type"] == "code" and asked["code_challenge_method"] == "S256"
    assert (
        asked["redirect_uri"] == portal.callback and asked["client_id"] == registered["client_id"]
    )
    assert len(asked["state"]) >= 43 and len(asked["nonce"]) >= 43
    assert provider.refusals == [], "the provider found the portal's verifier right"
    cookies = {c["name"]: c for c in page.context.cookies()}
    session = cookies["warmlink_session"]
    assert (session["httpOnly"], session["secure"], session["sameSite"]) == (True, True, "Strict")
    assert "warmlink_sign_in" not in cookies, "the binding cookie goes once it is used"
    assert portal.outcomes_since(mark) == [(who["id"], "oidc_ok"), (who["id"], "signed_in")]
    kept = portal.query("SELECT count(*) AS n FROM organization_sign_ins")[0]["n"]
    assert kept == 0, "the state, nonce and verifier are gone once used"

    # Next time the provider's subject names her, even without a verified email.
    provider.user = provider.user | {"email_verified": False, "email": "renamed@" + domain}
    again = new_page(browser)
    through(again, portal, registered)
    again.wait_for_url(f"{portal.url}/")
    assert "signed in as " + who["email"] in again.inner_text("main")


def test_without_the_provider_s_mfa_she_enters_her_totp_code(
    portal: Portal, provider: OidcProvider, browser: Any
) -> None:
    domain = fresh_domain()
    registered = portal.register(provider, SITE, domain, mfa_trusted=True)
    who = member(portal, provider, domain)
    provider.user["amr"] = ["pwd"]  # one factor: the portal asks for its own second
    page = new_page(browser)
    mark = portal.last_event()
    through(page, portal, registered)
    page.wait_for_url("**/sign-in/code")
    assert serious_violations(page) == []
    page.get_by_label("6-digit code").fill(pyotp.TOTP(who["totp_secret"]).now())
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{portal.url}/")
    assert portal.outcomes_since(mark) == [(who["id"], "oidc_ok"), (who["id"], "signed_in")]


def test_the_provider_refuses_a_wrong_pkce_verifier_and_takes_the_portal_s(
    portal: Portal, provider: OidcProvider, browser: Any
) -> None:
    domain = fresh_domain()
    registered = portal.register(provider, SITE, domain)
    member(portal, provider, domain)
    page = new_page(browser)
    provider.hold = True  # the code comes back to the test first, not yet to the portal
    through(page, portal, registered)
    page.wait_for_url(f"{provider.issuer}/authorize**")
    (callback,) = provider.returns
    code = httpx.URL(callback).params["code"]
    client = (registered["client_id"], provider.clients[registered["client_id"]][0])
    for verifier in ["x" * 64, ""]:
        refused = httpx.post(
            f"{provider.issuer}/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": portal.callback,
                "code_verifier": verifier,
            },
            auth=client,
        )
        assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"
    assert provider.refusals == ["token: code_verifier does not match the code_challenge"] * 2

    page.goto(callback)  # now the portal exchanges the code with the verifier it kept
    page.wait_for_url(f"{portal.url}/")
    assert len(provider.issued) == 1


def test_a_state_is_used_once_and_only_by_the_browser_that_left(
    portal: Portal, provider: OidcProvider, browser: Any
) -> None:
    domain = fresh_domain()
    registered = portal.register(provider, SITE, domain)
    member(portal, provider, domain)
    page = new_page(browser)
    through(page, portal, registered)
    page.wait_for_url(f"{portal.url}/")
    mark = portal.last_event()

    response = page.goto(provider.returns[0])  # the same return, again
    assert response.status == 401
    assert "already used" in page.inner_text("#why")
    assert serious_violations(page) == []
    assert "Traceback" not in page.content()

    # A fresh return brought to another browser (a link sent to someone) is not hers.
    leaver = new_page(browser)
    provider.hold = True
    through(leaver, portal, registered)
    leaver.wait_for_url(f"{provider.issuer}/authorize**")
    held = provider.returns[-1]
    stranger = new_page(browser)
    answer = stranger.goto(held)
    assert answer.status == 401 and "another browser" in stranger.inner_text("#why")
    assert "warmlink_session" not in {c["name"] for c in stranger.context.cookies()}
    # Refused once, its state is used: the browser that left cannot bring it back either.
    assert leaver.goto(held).status == 401
    assert portal.outcomes_since(mark) == [(None, "oidc_state_refused")] * 3
    assert len(provider.issued) == 1, "a refused return never reaches the provider's token"


@pytest.mark.parametrize(
    ("bend", "outcome", "said"),
    [
        ({"audience": "someone-else"}, "oidc_wrong_audience", "could not be accepted"),
        ({"nonce": "not-the-portal-s"}, "oidc_bad_nonce", "could not be accepted"),
        ({"lifetime_s": -3600}, "oidc_token_expired", "had expired"),
    ],
)
def test_an_id_token_for_another_audience_nonce_or_time_is_refused(
    portal: Portal,
    provider: OidcProvider,
    browser: Any,
    bend: dict[str, Any],
    outcome: str,
    said: str,
) -> None:
    domain = fresh_domain()
    registered = portal.register(provider, SITE, domain)
    member(portal, provider, domain)
    for name, value in bend.items():
        setattr(provider, name, value)
    page = new_page(browser)
    mark = portal.last_event()
    through(page, portal, registered)
    page.wait_for_selector("#why")
    assert said in page.inner_text("#why")
    assert len(provider.issued) == 1, "the provider did sign a token: the portal refused it"
    assert portal.outcomes_since(mark) == [(None, outcome)]
    assert serious_violations(page) == []
    page.goto(f"{portal.url}/")
    assert "/sign-in" in page.url, "not signed in"


def test_a_discovery_document_naming_another_issuer_is_refused(
    portal: Portal, provider: OidcProvider, browser: Any
) -> None:
    domain = fresh_domain()
    registered = portal.register(provider, SITE, domain)
    member(portal, provider, domain)
    provider.claimed_issuer = "https://login.elsewhere.example"
    page = new_page(browser)
    mark = portal.last_event()
    through(page, portal, registered)
    page.wait_for_selector("#why")
    assert "could not be accepted" in page.inner_text("#why")
    assert provider.authorize_requests == [], "never sent to a provider that is not itself"
    assert portal.outcomes_since(mark) == [(None, "oidc_bad_discovery")]


def test_another_organization_s_person_at_the_same_domain_cannot_get_in(
    portal: Portal, provider: OidcProvider, browser: Any
) -> None:
    domain = fresh_domain()
    registered = portal.register(provider, SITE, domain)
    outsider = member(portal, provider, domain, org=OTHER_SITE)
    page = new_page(browser)
    mark = portal.last_event()
    through(page, portal, registered)
    page.wait_for_selector("#why")
    assert "not linked to a Warmlink account" in page.inner_text("#why")
    assert portal.outcomes_since(mark) == [(None, "oidc_unknown_person")]
    linked = portal.query("SELECT 1 FROM person_identities WHERE person_id = $1", outsider["id"])
    assert linked == []
    page.goto(f"{portal.url}/")
    assert "/sign-in" in page.url


def test_a_disabled_person_is_refused(portal: Portal, provider: OidcProvider, browser: Any) -> None:
    domain = fresh_domain()
    registered = portal.register(provider, SITE, domain)
    who = member(portal, provider, domain)
    portal.query("UPDATE people SET disabled_at = now() WHERE id = $1", who["id"])
    page = new_page(browser)
    mark = portal.last_event()
    through(page, portal, registered)
    page.wait_for_selector("#why")
    assert "disabled by your organization" in page.inner_text("#why")
    assert portal.outcomes_since(mark) == [(who["id"], "oidc_disabled")]
    page.goto(f"{portal.url}/")
    assert "/sign-in" in page.url


def test_a_provider_that_does_not_answer_is_said_so(portal: Portal, browser: Any) -> None:
    with serving_oidc_provider() as never_asked:
        gone = portal.register(never_asked, SITE, fresh_domain())
    with serving_oidc_provider() as provider:
        domain = fresh_domain()
        registered = portal.register(provider, SITE, domain)
        member(portal, provider, domain)
        provider.hold = True
        left = new_page(browser)
        through(left, portal, registered)
        left.wait_for_url(f"{provider.issuer}/authorize**")
        (back,) = provider.returns
    # Both ports are closed now: nothing answers there, neither to start nor to take the code.
    mark = portal.last_event()
    page = new_page(browser)
    through(page, portal, gone)
    page.wait_for_selector("#why")
    assert "did not answer" in page.inner_text("#why")
    assert "Traceback" not in page.content()
    assert serious_violations(page) == []
    answer = left.goto(back)
    assert answer.status == 502 and "did not answer" in left.inner_text("#why")
    assert portal.outcomes_since(mark) == [(None, "oidc_provider_down")] * 2


def test_the_people_api_registers_providers_for_the_network_administrator_only(
    portal: Portal, provider: OidcProvider
) -> None:
    admin = portal.net.auth(NETWORK, Role.ADMIN)
    domain = fresh_domain()
    body = {
        "organization_id": SITE,
        "display_name": "Riverside OB staff",
        "issuer": provider.issuer,
        "client_id": "warmlink",
        "client_secret": "the provider's secret for us",
        "email_domains": [domain.upper()],
    }
    url = f"{portal.url}/v1/identity-providers"
    added = httpx.post(url, json=body, headers=admin)
    assert added.status_code == 201, added.text
    shown = added.json()
    assert shown["email_domains"] == [domain] and shown["mfa_trusted"] is False
    assert shown["redirect_uri"] == portal.callback
    assert "client_secret" not in shown and "secret for us" not in added.text
    (stored,) = portal.query(
        "SELECT client_secret FROM identity_providers WHERE id = $1", shown["id"]
    )
    assert b"secret for us" not in bytes(stored["client_secret"]), "sealed at rest"

    again = httpx.post(url, json=body, headers=admin)
    assert again.status_code == 409
    assert again.json()["errors"][0]["pointer"] == "#/email_domains"
    wrong = httpx.post(url, json=body | {"email_domains": ["not a domain"]}, headers=admin)
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["pointer"] == "#/email_domains"
    ftp = httpx.post(url, json=body | {"issuer": "ftp://login.example"}, headers=admin)
    assert ftp.status_code == 422 and ftp.json()["errors"][0]["pointer"] == "#/issuer"
    site = httpx.post(url, json=body, headers=portal.net.auth(SITE))
    assert site.status_code == 403
    unknown = httpx.get(f"{portal.url}/sign-in/organization/{uuid.uuid4()}")
    assert unknown.status_code == 404 and "No such identity provider" in unknown.text
    listed = httpx.get(url, headers=admin)
    assert shown["id"] in {p["id"] for p in listed.json()} and "client_secret" not in listed.text
