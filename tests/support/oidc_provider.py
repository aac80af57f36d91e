"""A small, real OpenID Connect provider for tests, on 127.0.0.1: discovery, a JWKS with its RSA
key, /authorize that signs in the configured user at once (no page), and /token that checks the
client's secret, the redirect URI and the PKCE verifier against the S256 challenge before it
signs an ID token (RS256).

A test bends it to see the portal refuse: another audience, another nonce, a token already
expired. It keeps what it was asked and what it refused, to be looked at.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

KID = "test-provider-1"


@dataclass
class Grant:
    client_id: str
    redirect_uri: str
    code_challenge: str
    nonce: str
    claims: dict[str, Any]
    used: bool = False


@dataclass
class OidcProvider:
    clock: Callable[[], float] = time.time
    # The person /authorize signs in: sub, email, email_verified, amr.
    user: dict[str, Any] = field(default_factory=dict)
    # Bent on purpose: None means as it should be.
    audience: str | None = None
    nonce: str | None = None
    lifetime_s: int = 300
    claimed_issuer: str | None = None  # what its discovery document says it is
    # Holds the person on its own page instead of sending her back at once: a test then has
    # the return (in `returns`) before the portal sees it.
    hold: bool = False
    clients: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (secret, redirect)
    authorize_requests: list[dict[str, str]] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)
    returns: list[str] = field(default_factory=list)  # each redirect back, with its code
    issued: list[dict[str, Any]] = field(default_factory=list)
    grants: dict[str, Grant] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.lock = threading.Lock()
        self.http = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.http.daemon_threads = True
        self.issuer = f"http://127.0.0.1:{self.http.server_address[1]}"

    def register(self, redirect_uri: str) -> tuple[str, str]:
        """A client: its id and secret."""
        client_id, secret = f"portal-{secrets.token_hex(4)}", secrets.token_urlsafe(24)
        self.clients[client_id] = (secret, redirect_uri)
        return client_id, secret

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.claimed_issuer or self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
        }

    def jwks(self) -> dict[str, Any]:
        public = jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return {"keys": [public | {"kid": KID, "use": "sig", "alg": "RS256"}]}

    def authorize(self, query: dict[str, str]) -> tuple[int, dict[str, str], dict[str, Any]]:
        """(status, headers, body): a redirect back with a code, or a refusal."""
        self.authorize_requests.append(query)
        client = self.clients.get(query.get("client_id", ""))
        if client is None or query.get("redirect_uri") != client[1]:
            return self._refuse("authorize: unknown client or redirect_uri")
        wrong = (
            query.get("response_type") != "code"
            or "openid" not in query.get("scope", "").split()
            or query.get("code_challenge_method") != "S256"
            or len(query.get("code_challenge", "")) != 43
            or not query.get("state")
            or not query.get("nonce")
        )
        if wrong:
            back = {"error": "invalid_request", "state": query.get("state", "")}
            return 302, {"Location": f"{client[1]}?{urlencode(back)}"}, {}
        code = secrets.token_urlsafe(24)
        with self.lock:
            self.grants[code] = Grant(
                query["client_id"],
                query["redirect_uri"],
                query["code_challenge"],
                query["nonce"],
                dict(self.user),
            )
        back = f"{client[1]}?{urlencode({'code': code, 'state': query['state']})}"
        self.returns.append(back)
        if self.hold:
            return 200, {}, "<!doctype html><title>Held</title><p>Signed in at the provider.</p>"
        return 302, {"Location": back}, {}

    def token(self, form: dict[str, str], basic: str | None) -> tuple[int, dict[str, str], Any]:
        client_id, secret = _basic(basic)
        client = self.clients.get(client_id)
        if client is None or not secrets.compare_digest(client[0], secret):
            return self._refuse("token: client authentication failed", 401, "invalid_client")
        if form.get("grant_type") != "authorization_code":
            return self._refuse("token: grant_type", 400, "unsupported_grant_type")
        with self.lock:
            grant = self.grants.get(form.get("code", ""))
            if grant is None or grant.used or grant.client_id != client_id:
                return self._refuse("token: unknown or used code")
            if form.get("redirect_uri") != grant.redirect_uri:
                return self._refuse("token: redirect_uri differs from the authorization's")
            verifier = form.get("code_verifier", "")
            # RFC 7636 4.6. A wrong verifier does not use the code up: a test then shows that
            # the portal's own verifier goes through.
            if not 43 <= len(verifier) <= 128 or not secrets.compare_digest(
                _s256(verifier), grant.code_challenge
            ):
                return self._refuse("token: code_verifier does not match the code_challenge")
            grant.used = True
        now = int(self.clock())
        claims = grant.claims | {
            "iss": self.issuer,
            "aud": self.audience or client_id,
            "nonce": self.nonce or grant.nonce,
            "iat": now,
            "exp": now + self.lifetime_s,
            "auth_time": now,
        }
        self.issued.append(claims)
        id_token = jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": KID})
        body = {"access_token": secrets.token_urlsafe(16), "token_type": "Bearer"}
        return 200, {}, body | {"id_token": id_token, "expires_in": self.lifetime_s}

    def _refuse(
        self, why: str, status: int = 400, error: str = "invalid_grant"
    ) -> tuple[int, dict[str, str], Any]:
        self.refusals.append(why)
        return status, {}, {"error": error, "error_description": why}


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _basic(header: str | None) -> tuple[str, str]:
    if not header or not header.startswith("Basic "):
        return "", ""
    decoded = base64.b64decode(header[6:]).decode()
    client_id, _, secret = decoded.partition(":")
    return unquote(client_id), unquote(secret)


def _handler(provider: OidcProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path == "/.well-known/openid-configuration":
                self._answer(200, {}, provider.discovery())
            elif url.path == "/jwks":
                self._answer(200, {}, provider.jwks())
            elif url.path == "/authorize":
                self._answer(*provider.authorize(query))
            else:
                self._answer(404, {}, {"error": "not_found"})

        def do_POST(self) -> None:
            if urlsplit(self.path).path != "/token":
                self._answer(404, {}, {"error": "not_found"})
                return
            raw = self.rfile.read(int(self.headers.get("content-length", 0))).decode()
            form = {k: v[0] for k, v in parse_qs(raw).items()}
            self._answer(*provider.token(form, self.headers.get("authorization")))

        def _answer(self, status: int, headers: dict[str, str], body: Any) -> None:
            html = isinstance(body, str)
            data = body.encode() if html else json.dumps(body).encode() if body else b""
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            if data:
                self.send_header("Content-Type", "text/html" if html else "application/json")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def serving_oidc_provider() -> Iterator[OidcProvider]:
    provider = OidcProvider()
    threading.Thread(target=provider.http.serve_forever, daemon=True).start()
    try:
        yield provider
    finally:
        provider.http.shutdown()
        provider.http.server_close()
