"""The settings mixin: environment variables under the service's prefix, safe defaults."""

from typing import ClassVar

import pytest
from pydantic import ValidationError
from pydantic_settings import SettingsConfigDict

from services.referral.subscriptions.domain.config import SubscriptionSettings, WebhookConfig
from warmlink.settings import ServiceSettings


class ReferralLike(SubscriptionSettings, ServiceSettings):
    """How ReferralSettings takes the mixin."""

    model_config = SettingsConfigDict(env_prefix="REFERRAL_", extra="ignore")
    service_name: ClassVar[str] = "referral"


def test_fields_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REFERRAL_WEBHOOK_ALLOW_PRIVATE", "true")
    monkeypatch.setenv("REFERRAL_WEBHOOK_RETRY_INITIAL_S", "0.2")
    config = WebhookConfig.of(ReferralLike())
    assert config.allow_private is True
    assert config.retry_initial_s == 0.2
    assert (config.heartbeat_s, config.max_age_s, config.timeout_s) == (300.0, 172_800.0, 5.0)


def test_settings_without_the_fields_get_the_defaults() -> None:
    assert WebhookConfig.of(object()) == WebhookConfig(False, 300.0, 172_800.0, 5.0, 10.0)


def test_production_refuses_private_destinations(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REFERRAL_WEBHOOK_ALLOW_PRIVATE", "true")
    with pytest.raises(ValidationError, match="WEBHOOK_ALLOW_PRIVATE"):
        ReferralLike(
            environment="production",
            database_url="postgresql://db.internal/referral",
            kafka_bootstrap_servers="kafka-1:9092",
            kafka_profile="kafka",
            jwks_url="https://directory.internal/.well-known/jwks.json",
            jwt_issuer="https://directory.internal",
            kafka_security_protocol="SSL",
        )


def test_non_positive_durations_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REFERRAL_WEBHOOK_TIMEOUT_S", "0")
    with pytest.raises(ValidationError):
        ReferralLike()


def test_only_production_may_not_allow_private_destinations() -> None:
    """Outside production a refusal names REFERRAL_WEBHOOK_ALLOW_PRIVATE (it could be set)."""
    assert WebhookConfig.of(ReferralLike(environment="development")).private_allowable is True
    assert WebhookConfig.of(ReferralLike(environment="test")).private_allowable is True
    production = ReferralLike(
        environment="production",
        database_url="postgresql://db.internal/referral",
        kafka_bootstrap_servers="kafka-1:9092",
        kafka_profile="kafka",
        jwks_url="https://directory.internal/.well-known/jwks.json",
        jwt_issuer="https://directory.internal",
        kafka_security_protocol="SSL",
    )
    assert WebhookConfig.of(production).private_allowable is False
