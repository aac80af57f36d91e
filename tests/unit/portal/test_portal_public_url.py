"""Where invitation links point and organizations' identity providers send people back:
PORTAL_PUBLIC_URL, required and https in production; unset, the local address outside it."""

from typing import Any

import pytest
from pydantic import ValidationError

from services.portal.settings import PortalSettings

PRODUCTION: dict[str, Any] = (
    {
        "environment": "production",
        "database_url": "postgresql://db.internal/portal",
        "kafka_bootstrap_servers": "kafka-1:9092",
        "kafka_profile": "kafka",
        "kafka_security_protocol": "SSL",
        "jwks_url": "https://directory.internal/.well-known/jwks.json",
        "jwt_issuer": "https://directory.internal",
        "secrets_key": "MTIzNDU2Nzg5MGFiY2RlZjEyMzQ1Njc4OTBhYmNkZWY=",
    }
    | {f"{name}_url": f"https://{name}.internal" for name in ("screening", "directory")}
    | {f"{name}_url": f"https://{name}.internal" for name in ("referral", "followup")}
)


def test_outside_production_the_local_address_is_the_default() -> None:
    settings = PortalSettings(environment="development", http_port=8123)
    assert settings.redirect_uri == "http://127.0.0.1:8123/sign-in/organization/callback"
    assert settings.allows_http_issuers


def test_production_takes_an_https_public_url_and_only_https_issuers() -> None:
    settings = PortalSettings(**PRODUCTION, public_url="https://portal.example.org/")
    assert settings.redirect_uri == "https://portal.example.org/sign-in/organization/callback"
    assert not settings.allows_http_issuers
    with pytest.raises(ValidationError, match="PUBLIC_URL"):
        PortalSettings(**PRODUCTION, public_url="http://portal.example.org")


def test_production_refuses_to_start_without_a_public_url() -> None:
    # Invitation links carry a credential: production must know its https address.
    with pytest.raises(ValidationError, match="PUBLIC_URL"):
        PortalSettings(**PRODUCTION)
    with pytest.raises(ValidationError, match="PUBLIC_URL"):
        PortalSettings(**PRODUCTION, public_url="")  # compose's unset
