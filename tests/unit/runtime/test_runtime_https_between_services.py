"""Production refuses, at start, every URL a token, a client secret or PHI travels to over plain
http: the directory's token endpoint and the other services' APIs, for each service that calls
them (the JWKS URL is refused in warmlink.settings already, see test_runtime_settings)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.portal.settings import PortalSettings
from services.referral.settings import ReferralSettings
from tests.support.environment import no_service_environment  # noqa: F401 (a fixture)
from tests.unit.runtime.test_runtime_settings import PRODUCTION_READY

PRODUCTION = PRODUCTION_READY
REFERRAL = PRODUCTION | {
    "phi_key": "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=",
    "directory_url": "https://directory.internal",
}
SERVICES_THE_PORTAL_CALLS = ("screening", "directory", "referral", "followup")
PORTAL = (
    PRODUCTION
    | {"secrets_key": "MTIzNDU2Nzg5MGFiY2RlZjEyMzQ1Njc4OTBhYmNkZWY="}
    | {"public_url": "https://portal.example.org"}
    | {f"{name}_url": f"https://{name}.internal" for name in SERVICES_THE_PORTAL_CALLS}
)


pytestmark = pytest.mark.usefixtures("no_service_environment")


def test_production_accepts_https_everywhere() -> None:
    assert ReferralSettings(**REFERRAL).directory_url == "https://directory.internal"
    assert PortalSettings(**PORTAL).followup_url == "https://followup.internal"


def test_the_referral_service_refuses_an_http_token_endpoint_in_production() -> None:
    with pytest.raises(ValidationError) as info:
        ReferralSettings(**REFERRAL | {"directory_url": "http://directory:8002"})
    assert "DIRECTORY_URL must be an https:// URL" in str(info.value)
    assert "client secret" in str(info.value)


@pytest.mark.parametrize("name", ["screening_url", "directory_url", "referral_url", "followup_url"])
def test_the_portal_refuses_an_http_url_of_any_service_it_sends_tokens_to(name: str) -> None:
    with pytest.raises(ValidationError) as info:
        PortalSettings(**PORTAL | {name: "http://somewhere:8000"})
    message = str(info.value)
    assert f"{name.upper()} must be an https:// URL" in message
    others = {"SCREENING_URL", "DIRECTORY_URL", "REFERRAL_URL", "FOLLOWUP_URL"} - {name.upper()}
    assert not any(f"{other} must" in message for other in others)


def test_development_keeps_its_local_http_addresses() -> None:
    assert ReferralSettings().directory_url.startswith("http://127.0.0.1")
    assert PortalSettings().directory_url.startswith("http://127.0.0.1")
