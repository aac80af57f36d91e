"""Service settings: per-service defaults, env overrides and the production guard."""

from typing import Any, ClassVar

import pytest
from pydantic import ValidationError
from pydantic_settings import SettingsConfigDict

from warmlink.settings import DEV_KAFKA, KafkaProfile, ServiceSettings


class S(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SVC_")
    service_name: ClassVar[str] = "svc"
    default_port: ClassVar[int] = 8009


PRODUCTION_READY: dict[str, Any] = {
    "environment": "production",
    "database_url": "postgresql://svc@db.internal:5432/svc",
    "kafka_bootstrap_servers": "kafka-1.internal:9093",
    "kafka_profile": "kafka",
    "kafka_security_protocol": "SSL",
    "jwks_url": "https://directory.internal/.well-known/jwks.json",
    "jwt_issuer": "https://directory.internal",
}


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in list(os.environ):
        if name.upper().startswith(("SVC_", "WARMLINK_")):
            monkeypatch.delenv(name)


def test_defaults_point_at_the_embedded_stack_for_this_service() -> None:
    s = S()
    assert s.database_url == "postgresql://postgres@127.0.0.1:15432/svc"
    assert s.http_port == 8009
    assert s.kafka_bootstrap_servers == DEV_KAFKA
    assert s.kafka_profile is KafkaProfile.TANSU
    assert s.environment == "development"


def test_base_settings_use_their_own_defaults() -> None:
    s = ServiceSettings()
    assert s.database_url.endswith("/warmlink")
    assert s.http_port == 8000


def test_prefixed_env_vars_override_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SVC_DATABASE_URL", "postgresql://u@h/x")
    monkeypatch.setenv("SVC_HTTP_PORT", "9100")
    monkeypatch.setenv("SVC_KAFKA_PROFILE", "kafka")
    monkeypatch.setenv("SVC_CONSUMER_MAX_ATTEMPTS", "9")
    s = S()
    assert s.database_url == "postgresql://u@h/x"
    assert s.http_port == 9100
    assert s.kafka_profile is KafkaProfile.KAFKA
    assert s.consumer_max_attempts == 9


def test_env_vars_of_another_prefix_are_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WARMLINK_HTTP_PORT", "9999")
    monkeypatch.setenv("OTHER_HTTP_PORT", "9998")
    assert S().http_port == 8009


def test_production_with_dev_defaults_lists_every_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SVC_ENVIRONMENT", "production")
    with pytest.raises(ValidationError) as info:
        S()
    message = str(info.value)
    assert "refusing to start in production" in message
    assert "DATABASE_URL still points at the embedded development database" in message
    assert "KAFKA_BOOTSTRAP_SERVERS still points at the embedded broker" in message
    assert "KAFKA_PROFILE must be 'kafka' in production" in message
    assert "JWKS_URL must name the directory's https JWKS document" in message
    assert "KAFKA_SECURITY_PROTOCOL=PLAINTEXT" in message
    assert "JWT_ISSUER is still the development issuer" in message
    assert "fault injection" not in message


@pytest.mark.parametrize(
    ("missing", "complaint"),
    [
        ("database_url", "DATABASE_URL"),
        ("kafka_bootstrap_servers", "KAFKA_BOOTSTRAP_SERVERS"),
        ("kafka_profile", "KAFKA_PROFILE"),
        ("jwks_url", "JWKS_URL"),
        ("kafka_security_protocol", "KAFKA_SECURITY_PROTOCOL"),
        ("jwt_issuer", "JWT_ISSUER"),
    ],
)
def test_production_names_the_single_remaining_dev_default(missing: str, complaint: str) -> None:
    values = {k: v for k, v in PRODUCTION_READY.items() if k != missing}
    with pytest.raises(ValidationError) as info:
        S(**values)
    message = str(info.value)
    assert complaint in message
    others = {
        "DATABASE_URL",
        "KAFKA_BOOTSTRAP_SERVERS",
        "KAFKA_PROFILE",
        "JWKS_URL",
        "KAFKA_SECURITY_PROTOCOL",
        "JWT_ISSUER",
    }
    for other in others - {complaint}:
        assert f"{other} " not in message


def test_production_with_everything_set_is_accepted() -> None:
    s = S(**PRODUCTION_READY)
    assert s.environment == "production"
    assert s.kafka_profile is KafkaProfile.KAFKA
    assert s.jwks_url == "https://directory.internal/.well-known/jwks.json"
    assert s.database_url == "postgresql://svc@db.internal:5432/svc"


def test_production_from_env_vars_is_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in PRODUCTION_READY.items():
        monkeypatch.setenv(f"SVC_{key.upper()}", value)
    assert S().kafka_bootstrap_servers == "kafka-1.internal:9093"


def test_production_refuses_fault_injection() -> None:
    with pytest.raises(ValidationError, match="fault injection is for tests only"):
        S(**PRODUCTION_READY, fault_crash_before_publish=True)


def test_fault_injection_is_allowed_outside_production() -> None:
    assert S(environment="test", fault_crash_before_publish=True).fault_crash_before_publish


def test_unknown_environment_is_rejected() -> None:
    with pytest.raises(ValidationError):
        S(environment="staging")


def test_production_refusal_does_not_print_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SVC_ENVIRONMENT", "production")
    monkeypatch.setenv("SVC_KAFKA_SASL_PASSWORD", "hunter2")
    with pytest.raises(ValidationError) as info:
        S()
    assert "hunter2" not in str(info.value)


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"jwt_public_key_file": "/etc/warmlink/public.pem"}, "JWT_PUBLIC_KEY_FILE is a static"),
        ({"jwt_issuer": "warmlink-dev"}, "JWT_ISSUER is still the development issuer"),
        ({"jwks_url": "http://directory:8002/.well-known/jwks.json"}, "must be an https:// URL"),
        ({"kafka_security_protocol": "PLAINTEXT"}, "KAFKA_SECURITY_PROTOCOL=PLAINTEXT"),
        (
            {
                "kafka_security_protocol": "SASL_PLAINTEXT",
                "kafka_sasl_mechanism": "SCRAM-SHA-512",
                "kafka_sasl_username": "svc",
                "kafka_sasl_password": "pw",
            },
            "KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT",
        ),
        ({"kafka_ssl_check_hostname": False}, "KAFKA_SSL_CHECK_HOSTNAME"),
    ],
)
def test_production_refuses_every_development_trust_path(
    change: dict[str, Any], complaint: str
) -> None:
    """A static dev key trusted any organization, role and lifetime; the dev issuer, an http
    JWKS and plaintext Kafka (events are PHI) were accepted in production."""
    with pytest.raises(ValidationError, match=complaint):
        S(**(PRODUCTION_READY | change))


def test_production_accepts_sasl_scram_over_tls() -> None:
    sasl = {
        "kafka_security_protocol": "SASL_SSL",
        "kafka_sasl_mechanism": "SCRAM-SHA-512",
        "kafka_sasl_username": "svc",
        "kafka_sasl_password": "pw",
    }
    assert S(**(PRODUCTION_READY | sasl)).kafka_security_protocol == "SASL_SSL"
