"""Organizations' identity providers: the network administrator registers one with a bearer
token, as she adds people (docs/operations.md "An organization's own sign-in")."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from services.portal.adapters import identity_providers as providers_table
from services.portal.domain.organization_sign_in import IdentityProvider
from services.portal.entrypoints.deps import portal
from services.portal.service_layer.commands import organization_sign_in as sign_in_commands
from warmlink.auth import Caller, Role, require_role
from warmlink.db import ConnectionDep

api = APIRouter(prefix="/v1/identity-providers", tags=["people"])
AdminDep = Annotated[Caller, require_role(Role.ADMIN)]


class IdentityProviderIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    organization_id: str = Field(min_length=1, max_length=100)
    display_name: str = Field(
        min_length=1, max_length=100, description='The sign-in page\'s link: "Sign in with …".'
    )
    issuer: str = Field(min_length=8, max_length=500, description="The provider's issuer URL.")
    client_id: str = Field(min_length=1, max_length=500)
    client_secret: SecretStr = Field(min_length=1, max_length=2000)
    email_domains: list[str] = Field(min_length=1, max_length=50)
    mfa_trusted: bool = Field(
        False, description="Its multi-factor sign-in (amr) replaces the portal's TOTP code."
    )


class IdentityProviderOut(BaseModel):
    """Never the client secret."""

    id: UUID
    organization_id: str
    display_name: str
    issuer: str
    client_id: str
    email_domains: list[str]
    mfa_trusted: bool
    redirect_uri: str | None = Field(
        description="Register this at the provider (null until PORTAL_PUBLIC_URL is set)."
    )


def _out(provider: IdentityProvider, redirect_uri: str | None) -> IdentityProviderOut:
    return IdentityProviderOut(
        id=provider.id,
        organization_id=provider.organization_id,
        display_name=provider.display_name,
        issuer=provider.issuer,
        client_id=provider.client_id,
        email_domains=list(provider.email_domains),
        mfa_trusted=provider.mfa_trusted,
        redirect_uri=redirect_uri,
    )


@api.post("", status_code=201, response_model=IdentityProviderOut)
async def add_identity_provider(
    body: IdentityProviderIn, request: Request, conn: ConnectionDep, caller: AdminDep
) -> IdentityProviderOut:
    ctx = portal(request)
    command = sign_in_commands.AddIdentityProvider(
        body.organization_id,
        body.display_name,
        body.issuer,
        body.client_id,
        body.client_secret.get_secret_value(),
        tuple(body.email_domains),
        body.mfa_trusted,
    )
    async with conn.transaction():
        provider = await sign_in_commands.add_identity_provider(
            conn, ctx.rules.keyring, command, ctx.settings.allows_http_issuers
        )
    return _out(provider, ctx.settings.redirect_uri)


@api.get("", response_model=list[IdentityProviderOut])
async def list_identity_providers(
    request: Request, conn: ConnectionDep, caller: AdminDep
) -> list[IdentityProviderOut]:
    ctx = portal(request)
    found = await providers_table.every(conn, ctx.rules.keyring)
    return [_out(p, ctx.settings.redirect_uri) for p in found]
