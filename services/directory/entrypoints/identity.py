"""OAuth 2.0 client-credentials token endpoint, the network's JWKS document, key rotation."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request

from services.directory.adapters import repository, signing_keys
from services.directory.domain.errors import ClientRefused, ExchangeRefused
from services.directory.service_layer.commands import identity as commands
from services.directory.settings import DirectorySettings
from warmlink.audit import audit_admin
from warmlink.auth import SUSPENDED_MEMBER, Caller, Role, require_role
from warmlink.db import ConnectionDep
from warmlink.problems import InvalidInput, Problem
from warmlink.tokens import ACCESS_TOKEN_TYPE, PERSON_TOKEN_TYPE, TOKEN_EXCHANGE

router = APIRouter(tags=["identity"])
keys_router = APIRouter(prefix="/v1/signing-keys", tags=["identity"])
AdminDep = Annotated[Caller, require_role(Role.ADMIN)]


class InvalidClient(Problem):
    """RFC 6749 `invalid_client`, rendered as problem+json with the OAuth `error` member."""

    status, title, slug = 401, "Unauthorized", "invalid-client"

    def __init__(self, detail: str) -> None:
        super().__init__(
            detail,
            headers={"WWW-Authenticate": 'Basic realm="warmlink"'},
            error="invalid_client",
            error_description=detail,
        )


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return None
    try:
        client_id, _, secret = base64.b64decode(encoded).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise InvalidClient("Malformed Basic credentials.") from None
    return client_id, secret


@router.post("/oauth/token")
async def token(
    request: Request,
    conn: ConnectionDep,
    grant_type: Annotated[str, Form()],
    client_id: Annotated[str | None, Form()] = None,
    client_secret: Annotated[str | None, Form()] = None,
    subject_token: Annotated[str | None, Form()] = None,
    subject_token_type: Annotated[str | None, Form()] = None,
    organization_id: Annotated[str | None, Form()] = None,
    person_role: Annotated[str | None, Form()] = None,
) -> dict[str, Any]:
    """Client-credentials grant (RFC 6749 §4.4): Basic auth or form fields. Token exchange
    (RFC 8693) for a client that acts for people: `subject_token` person:<uuid> of
    `subject_token_type` urn:warmlink:params:oauth:token-type:person, with the person's
    `organization_id` and `person_role`."""
    if grant_type not in ("client_credentials", TOKEN_EXCHANGE):
        raise InvalidInput(
            "Only the client_credentials and token-exchange grants are supported.",
            errors=[{"pointer": "#/grant_type", "detail": "unsupported grant type"}],
            error="unsupported_grant_type",
        )
    credentials = _basic_credentials(request) or (client_id, client_secret)
    if not credentials[0] or not credentials[1]:
        raise InvalidClient("Client credentials are required.")
    settings: DirectorySettings = request.app.state.runtime.settings
    try:
        if grant_type == TOKEN_EXCHANGE:
            if subject_token_type != PERSON_TOKEN_TYPE:
                raise ExchangeRefused(
                    f"subject_token_type must be {PERSON_TOKEN_TYPE}.", "/subject_token_type"
                )
            exchange = commands.PersonExchange(
                credentials[0],
                credentials[1],
                subject_token or "",
                organization_id or "",
                person_role or "",
            )
            issued = await commands.exchange_for_person(conn, settings, exchange, datetime.now(UTC))
        else:
            issued = await commands.issue_access_token(
                conn, settings, credentials[0], credentials[1], datetime.now(UTC)
            )
    except ClientRefused as refused:  # OAuth answers a refused client in its own shape
        raise InvalidClient(refused.detail) from None
    answer: dict[str, Any] = {
        "access_token": issued.access_token,
        "token_type": issued.token_type,
        "expires_in": issued.expires_in,
    }
    if grant_type == TOKEN_EXCHANGE:
        answer["issued_token_type"] = ACCESS_TOKEN_TYPE
    return answer


@router.get("/.well-known/jwks.json")
async def jwks(conn: ConnectionDep) -> dict[str, Any]:
    """Public keys that verify the network's tokens (current and recently retired), and the
    organizations suspended from the network: every service refuses their tokens, even ones
    issued before the suspension, once it fetches this document again (JWKS_MAX_AGE_S)."""
    return {
        "keys": await signing_keys.published(conn, datetime.now(UTC)),
        SUSPENDED_MEMBER: await repository.suspended_ids(conn),
    }


@keys_router.post("/rotate", status_code=201)
async def rotate_signing_key(
    request: Request, conn: ConnectionDep, caller: AdminDep
) -> dict[str, str]:
    """Sign new tokens with a new key; the old key stays published until its tokens expire."""
    settings: DirectorySettings = request.app.state.runtime.settings
    async with conn.transaction():
        key = await commands.rotate_signing_key(conn, settings, datetime.now(UTC))
        await audit_admin(conn, caller, "rotate", "signing_key", key.kid)
    await request.app.state.published_keys.refresh()
    return {"kid": key.kid}
