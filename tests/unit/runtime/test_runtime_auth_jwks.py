"""Tokens verified against a JWKS document served over real HTTP: the verified-token cache
answers repeat requests without parsing the token again, and a key withdrawn from the
document stops its tokens at the next fetch instead of living on in the cache."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from services.directory.adapters.signing_keys import public_jwk
from warmlink.auth import Role, TokenVerifier
from warmlink.problems import Unauthorized
from warmlink.tokens import issue_token


class JwksServer:
    def __init__(self) -> None:
        self.keys: list[dict[str, str]] = []
        self.fetches = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.fetches += 1
                body = json.dumps({"keys": server.keys}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}/.well-known/jwks.json"


@pytest.fixture
def jwks() -> Iterator[JwksServer]:
    server = JwksServer()
    thread = threading.Thread(target=server.http.serve_forever, daemon=True)
    thread.start()
    yield server
    server.http.shutdown()


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
