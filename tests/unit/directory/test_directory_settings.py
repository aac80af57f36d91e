"""The directory's own settings: its tokens must live no longer than every verifier accepts."""

import pytest
from pydantic import ValidationError

from services.directory.settings import DirectorySettings


def test_tokens_longer_than_the_verifiers_cap_are_refused_at_start() -> None:
    with pytest.raises(ValidationError, match=r"TOKEN_TTL_S .* JWT_MAX_LIFETIME_S"):
        DirectorySettings(token_ttl_s=7200)
    with pytest.raises(ValidationError, match="TOKEN_TTL_S"):
        DirectorySettings(token_ttl_s=900, jwt_max_lifetime_s=600)


def test_the_default_token_lifetime_is_well_under_the_cap() -> None:
    settings = DirectorySettings()
    assert settings.token_ttl_s == 600 < settings.jwt_max_lifetime_s == 3600
