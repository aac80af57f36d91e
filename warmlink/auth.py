"""Bearer JWT authentication shared by every service.

Tokens are signed by the network's key (Ed25519, EdDSA) and carry the caller's organization and
role. Every endpoint except health and docs depends on `authenticated`; role checks use
`require_role`. Organization scoping is done by the handlers' queries: another organization's
record is simply not found (404), so its existence never leaks.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import jwt
from fastapi import Depends, Request

from warmlink.problems import Forbidden, Unauthorized

ALGORITHM = "EdDSA"
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="warmlink"'}


class Role(StrEnum):
    CLINIC = "clinic"  # referring site staff
    PRACTICE = "practice"  # receiving practice staff
    ADMIN = "admin"  # network administration


@dataclass(frozen=True)
class Caller:
    subject: str
    organization_id: str
    role: Role


@dataclass(frozen=True)
class TokenVerifier:
    public_key_pem: bytes
    audience: str
    issuer: str

    @classmethod
    def from_file(cls, path: Path, audience: str, issuer: str) -> TokenVerifier:
        return cls(path.read_bytes(), audience, issuer)

    def verify(self, token: str) -> Caller:
        try:
            claims = jwt.decode(
                token,
                self.public_key_pem,
                algorithms=[ALGORITHM],
                audience=self.audience,
                issuer=self.issuer,
                options={"require": ["exp", "iat", "sub", "aud", "iss"]},
            )
            return Caller(str(claims["sub"]), str(claims["org"]), Role(claims["role"]))
        except jwt.ExpiredSignatureError:
            raise Unauthorized("The token has expired.", headers=_CHALLENGE) from None
        except (jwt.InvalidTokenError, KeyError, ValueError):
            raise Unauthorized(
                "The token is not valid for this network.", headers=_CHALLENGE
            ) from None


def authenticated(request: Request) -> Caller:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("A bearer token is required.", headers=_CHALLENGE)
    verifier: TokenVerifier | None = getattr(request.app.state, "verifier", None)
    if verifier is None:
        raise Unauthorized("This service has no verification key configured.", headers=_CHALLENGE)
    return verifier.verify(token.strip())


CallerDep = Annotated[Caller, Depends(authenticated)]


def require_role(*roles: Role) -> object:
    """A dependency that admits only callers holding one of `roles`."""

    def check(caller: CallerDep) -> Caller:
        if caller.role not in roles:
            allowed = ", ".join(roles)
            raise Forbidden(f"This action needs the role {allowed}; the token has {caller.role}.")
        return caller

    return Depends(check)
