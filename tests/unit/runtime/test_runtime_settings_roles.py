"""Production refuses a service that connects as the database's superuser."""

from typing import ClassVar

import pytest
from pydantic import ValidationError
from pydantic_settings import SettingsConfigDict

from warmlink.settings import ServiceSettings


class S(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SVCROLES_")
    service_name: ClassVar[str] = "svc"


PRODUCTION = {
    "environment": "production",
    "kafka_bootstrap_servers": "kafka-1.internal:9093",
    "kafka_profile": "kafka",
    "kafka_security_protocol": "SSL",
    "jwks_url": "https://directory.internal/.well-known/jwks.json",
    "jwt_issuer": "https://directory.internal",
}


def test_production_refuses_the_superuser() -> None:
    with pytest.raises(ValidationError, match="connects as the superuser 'postgres'"):
        S(**PRODUCTION, database_url="postgresql://postgres:pw@db.internal/svc")  # type: ignore[arg-type]


def test_production_takes_the_runtime_role_and_the_owner_for_migrations() -> None:
    s = S(
        **PRODUCTION,  # type: ignore[arg-type]
        database_url="postgresql://svc_app:pw@db.internal/svc",
        migration_database_url="postgresql://svc_owner:pw@db.internal/svc",
    )
    assert s.migration_database_url is not None
    assert s.migration_database_url.get_secret_value().startswith("postgresql://svc_owner:")
    assert "svc_owner" not in repr(s), "the owner's URL (a password) is never printed"
