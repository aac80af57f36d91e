"""Signing keys and development tokens. Production tokens come from the directory's token
endpoint; this module is what `warmlink token` and the tests use."""

from __future__ import annotations

import time
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from warmlink.auth import ALGORITHM, DEV_KID, PERSON_PREFIX, PersonRole, Role

DEFAULT_TTL_S = 3600  # the verifiers refuse longer (JWT_MAX_LIFETIME_S)
# RFC 8693 token exchange: a client that acts for people (the portal) asks the directory for a
# token naming one of them. Grant and token type URNs, not secrets.
TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"  # noqa: S105
PERSON_TOKEN_TYPE = "urn:warmlink:params:oauth:token-type:person"  # noqa: S105
ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token"  # noqa: S105


def ensure_key_pair(folder: Path) -> tuple[Path, Path]:
    """Create `signing.pem` / `public.pem` in `folder` on first use; return their paths."""
    private_path, public_path = folder / "signing.pem", folder / "public.pem"
    if not private_path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        key = Ed25519PrivateKey.generate()
        private_path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        private_path.chmod(0o600)
        public_path.write_bytes(
            key.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )
    return private_path, public_path


def issue_token(
    private_key_pem: bytes,
    *,
    organization_id: str,
    role: Role,
    subject: str | None = None,
    audience: str = "warmlink",
    issuer: str = "warmlink-dev",
    ttl_s: int = DEFAULT_TTL_S,
    now: float | None = None,
    kid: str = DEV_KID,
    person: tuple[str, PersonRole, str] | None = None,
) -> str:
    """A signed token. `person` = (person id, her role, the client acting for her) makes a
    person's token: `sub` person:<id>, `person_role`, and `act` naming the client (RFC 8693)."""
    issued = int(now if now is not None else time.time())
    claims = {
        "sub": subject or f"{organization_id}:{role}",
        "org": organization_id,
        "role": str(role),
        "aud": audience,
        "iss": issuer,
        "iat": issued,
        "exp": issued + ttl_s,
    }
    if person is not None:
        person_id, person_role, actor = person
        claims |= {
            "sub": PERSON_PREFIX + person_id,
            "person_role": str(person_role),
            "act": {"sub": actor},
        }
    return jwt.encode(claims, private_key_pem, algorithm=ALGORITHM, headers={"kid": kid})
