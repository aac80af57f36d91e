"""Tokens verified against a JWKS document served over real HTTP: the verified-token cache
answers repeat requests without parsing the token again, and a key withdrawn from the
document stops its tokens at the next fetch instead of living on in the cache."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from services.directory.adapters.signing_keys import public_jwk
from tests.support.jwks import JwksServer, serving_jwks
from warmlink.auth import Role, TokenVerifier
from warmlink.problems import Unauthorized
from warmlink.tokens import issue_token


@pytest.fixture
def jwks() -> Iterator[JwksServer]:
    with serving_jwks() as server:
        yield server


def signing_key() -> tuple[bytes, Ed25519PrivateKey]:
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return pem, key


async def check(verifier: TokenVerifier, token: str) -> str:
    await verifier.refresh_for(token)
    return verifier.verify(token).organization_id


def test_a_withdrawn_key_stops_cached_tokens_at_the_next_fetch(jwks: JwksServer) -> None:
    pem, key = signing_key()
    jwks.keys = [public_jwk("k1", key.public_key())]
    token = issue_token(pem, organization_id="bloom", role=Role.PRACTICE, kid="k1")

    async def scenario() -> None:
        verifier = TokenVerifier("warmlink", "warmlink-dev", jwks_url=jwks.url)
        try:
            assert await check(verifier, token) == "bloom"
            assert await check(verifier, token) == "bloom"
            assert jwks.fetches == 1  # the repeat was answered from the cache
            jwks.keys = []  # the key is withdrawn (say, it leaked)
            await verifier.refresh()
            with pytest.raises(Unauthorized):
                await check(verifier, token)
        finally:
            await verifier.close()

    asyncio.run(scenario())


def test_unknown_key_ids_share_one_fetch_and_are_then_refused_without_one(
    jwks: JwksServer,
) -> None:
    """Forged tokens naming key ids nobody published: however many arrive at once, the JWKS
    document is fetched once for all of them (it was fetched one at a time, a second apart,
    each request waiting in line), and a key id found unknown is refused without a fetch."""
    pem, key = signing_key()
    jwks.keys = [public_jwk("k1", key.public_key())]
    forged = [
        issue_token(pem, organization_id="mallory", role=Role.ADMIN, kid=f"forged-{n}")
        for n in range(50)
    ]

    async def refused(verifier: TokenVerifier, token: str) -> bool:
        try:
            await check(verifier, token)
        except Unauthorized:
            return True
        return False

    async def wave(verifier: TokenVerifier) -> list[bool]:
        answers = asyncio.gather(*(refused(verifier, t) for t in forged))
        # Bounded: one shared fetch answers them all; a queue of fetches would take 50 s.
        try:
            return await asyncio.wait_for(answers, 10)
        except TimeoutError:
            pytest.fail(f"50 unknown key ids were still waiting after {jwks.fetches} fetches")

    async def scenario() -> None:
        verifier = TokenVerifier("warmlink", "warmlink-dev", jwks_url=jwks.url)
        try:
            assert await wave(verifier) == [True] * 50
            assert jwks.fetches == 1
            assert await wave(verifier) == [True] * 50  # the same key ids again: known unknown
            assert jwks.fetches == 1
            genuine = issue_token(pem, organization_id="bloom", role=Role.PRACTICE, kid="k1")
            assert await check(verifier, genuine) == "bloom"
        finally:
            await verifier.close()

    asyncio.run(scenario())


def test_a_key_id_missed_by_a_failed_fetch_is_not_remembered_as_unknown(jwks: JwksServer) -> None:
    """The JWKS document could not be fetched (the directory restarting): that says nothing
    about the key id, so its token is checked again at the next fetch, not refused for a while."""
    pem, key = signing_key()
    token = issue_token(pem, organization_id="bloom", role=Role.PRACTICE, kid="k2")

    async def scenario() -> None:
        verifier = TokenVerifier("warmlink", "warmlink-dev", jwks_url=jwks.url)
        try:
            jwks.failing = True
            with pytest.raises(Unauthorized):
                await check(verifier, token)
            jwks.failing, jwks.keys = False, [public_jwk("k2", key.public_key())]
            assert await check(verifier, token) == "bloom"  # at the next allowed fetch
            assert jwks.fetches == 2
        finally:
            await verifier.close()

    asyncio.run(scenario())


def test_a_suspended_organizations_tokens_stop_at_the_next_fetch_even_when_cached(
    jwks: JwksServer,
) -> None:
    """Suspension stopped only new tokens: ones already issued kept working everywhere."""
    pem, key = signing_key()
    jwks.keys = [public_jwk("k1", key.public_key())]
    token = issue_token(pem, organization_id="bloom", role=Role.PRACTICE, kid="k1", ttl_s=600)
    other = issue_token(pem, organization_id="oak", role=Role.CLINIC, kid="k1", ttl_s=600)

    async def scenario() -> None:
        verifier = TokenVerifier("warmlink", "warmlink-dev", jwks_url=jwks.url)
        try:
            assert await check(verifier, token) == "bloom"
            jwks.suspended = ["bloom"]
            await verifier.refresh()  # what the next request does once the document is stale
            with pytest.raises(Unauthorized, match="suspended"):
                await check(verifier, token)
            assert await check(verifier, other) == "oak"
            jwks.suspended = []  # reactivated
            await verifier.refresh()
            assert await check(verifier, token) == "bloom"
        finally:
            await verifier.close()

    asyncio.run(scenario())


def test_a_stale_document_is_fetched_again_by_the_next_request(jwks: JwksServer) -> None:
    pem, key = signing_key()
    jwks.keys = [public_jwk("k1", key.public_key())]
    token = issue_token(pem, organization_id="bloom", role=Role.PRACTICE, kid="k1", ttl_s=600)

    async def scenario() -> None:
        verifier = TokenVerifier("warmlink", "warmlink-dev", jwks_url=jwks.url, jwks_max_age_s=0.05)
        try:
            assert await check(verifier, token) == "bloom"
            jwks.suspended = ["bloom"]
            await asyncio.sleep(0.1)  # older than jwks_max_age_s: the next request fetches
            with pytest.raises(Unauthorized, match="suspended"):
                await check(verifier, token)
        finally:
            await verifier.close()

    asyncio.run(scenario())
