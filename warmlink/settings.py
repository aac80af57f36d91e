"""One settings class for every service; each service subclasses it with its own env prefix.

Development defaults point at the embedded stack (`warmlink dev`); production points the same code
at Apache Kafka and managed PostgreSQL through environment variables only, and refuses to start
with development defaults (see `_refuse_dev_defaults_in_production`).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import ClassVar, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from warmlink.business_time import AcknowledgementRule, HolidayCheck, public_holidays
from warmlink.crypto import Keyring
from warmlink.rate_limit import RateLimits

DEV_DATABASE_HOST = "127.0.0.1:15432"
DEV_KAFKA = "127.0.0.1:19092"
DEV_ISSUER = "warmlink-dev"
SUPERUSER = "postgres"  # the administrator's conventional name: no service connects as it


class KafkaProfile(StrEnum):
    """Client tuning. `tansu`: short fetch wait and sessions, no idempotent producer (unsupported).
    `kafka`: Apache Kafka with the idempotent producer and acks=all."""

    TANSU = "tansu"
    KAFKA = "kafka"


class ServiceSettings(BaseSettings):
    # hide_input_in_errors: a refused production config must not print passwords it was given.
    model_config = SettingsConfigDict(
        env_prefix="WARMLINK_", extra="ignore", hide_input_in_errors=True
    )

    service_name: ClassVar[str] = "warmlink"
    default_port: ClassVar[int] = 8000
    # URL settings that carry a token, a client secret or PHI, each with what it carries:
    # production refuses any of them on plain http, at start. A service adds its own.
    https_urls: ClassVar[dict[str, str]] = {}

    environment: Literal["development", "test", "production"] = "development"

    database_url: str = ""
    # The database owner's URL, for the migrations only: they run as it, then grant DATABASE_URL's
    # role (the runtime role) what it needs (warmlink.db_roles). Empty: the migrations run as
    # DATABASE_URL's role, which must then own the database (development and most tests).
    migration_database_url: SecretStr | None = None
    database_pool_min: int = 2
    database_pool_max: int = 10
    # The outbox relay, the consumers and the workers take connections from a pool of their own,
    # so requests that hold every request connection cannot stop them (nor they the requests).
    database_background_pool_max: int = 10
    # How long a request waits for a connection before it is answered 503 with Retry-After.
    database_acquire_timeout_s: float = 5.0

    kafka_bootstrap_servers: str = DEV_KAFKA
    kafka_profile: KafkaProfile = KafkaProfile.TANSU
    kafka_replication_factor: int = 1
    # Events carry a patient reference, dates and a screening result: PHI in transit. Production
    # refuses PLAINTEXT and SASL_PLAINTEXT (see `_refuse_dev_defaults_in_production`).
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    # TLS (SSL and SASL_SSL): the CA that signed the brokers' certificates (the system's CAs when
    # unset), and a client certificate and key for brokers that require one (mutual TLS).
    kafka_ssl_cafile: Path | None = None
    kafka_ssl_certfile: Path | None = None
    kafka_ssl_keyfile: Path | None = None
    kafka_ssl_check_hostname: bool = True
    kafka_sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] | None = None
    kafka_sasl_username: str | None = None
    kafka_sasl_password: SecretStr | None = None
    kafka_fetch_max_wait_ms: int = 10
    # Prepended to every topic name: separates environments (or test runs) sharing one cluster.
    kafka_topic_prefix: str = ""
    # True: each service creates the topics it is missing at start (development, tests, compose).
    # False: the topics belong to someone else (Strimzi's KafkaTopic resources, deploy/k8s/base/
    # kafka), the service's Kafka user has no right to create them, and a service waits for them
    # at start and refuses to run, naming them, if they do not appear.
    kafka_create_topics: bool = True

    # The network's time rules, the same for every service: the referral service promises the
    # acknowledgement deadline, the follow-up service enforces it (warmlink.business_time).
    holiday_country: str = "US"
    holiday_subdivision: str | None = "IL"
    ack_business_days: int = 1
    urgent_ack_open_hours: float = 4.0

    def holidays(self) -> HolidayCheck:
        return public_holidays(self.holiday_country, self.holiday_subdivision)

    def acknowledgement_rule(self) -> AcknowledgementRule:
        return AcknowledgementRule(self.ack_business_days, self.urgent_ack_open_hours)

    http_host: str = "127.0.0.1"
    http_port: int = 0
    # Worker processes behind the port. Each runs its own relay (one is elected), consumers
    # (partitions are shared out) and caches; more workers use more cores.
    http_workers: int = 1
    # The largest request body a route reads; larger is answered 413 before it is read. A route
    # with a limit of its own (the referral service's DOCUMENT_MAX_BYTES) is not bound by it.
    max_body_bytes: int = Field(1024 * 1024, ge=1)
    # Requests a second each authenticated caller (organization and subject), and each client
    # address on routes that take no bearer token, may make to one process, with bursts of
    # RATE_LIMIT_BURST_S seconds' worth; past it, 429 (warmlink.rate_limit). Unset: 100 and 200 in
    # production; 10,000 elsewhere, above what the benchmarks drive one caller at.
    rate_limit_caller_per_s: float | None = Field(None, gt=0)
    rate_limit_address_per_s: float | None = Field(None, gt=0)
    rate_limit_burst_s: float = Field(2.0, gt=0)
    # Proxies whose X-Forwarded-For names the client (uvicorn's forwarded_allow_ips): behind a
    # TLS front, list its address, or every person shares the front's address and its limit.
    trusted_proxies: str = "127.0.0.1"

    jwt_public_key_file: Path | None = None
    # The network's JWKS document (the directory's /.well-known/jwks.json): tokens from
    # POST /oauth/token are verified against it; rotation needs no restart.
    jwks_url: str | None = None
    jwt_audience: str = "warmlink"
    jwt_issuer: str = DEV_ISSUER
    # A token whose exp - iat is longer than this is refused (the directory's last 10 minutes).
    jwt_max_lifetime_s: int = Field(3600, ge=1)
    # How long the JWKS document is used before it is fetched again. It lists the organizations
    # the directory has suspended: their tokens stop working within this time.
    jwks_max_age_s: float = Field(60.0, gt=0)
    # How far the issuer's clock and this host's may disagree (exp, nbf, iat): a token this many
    # seconds past its exp is still accepted. At most 5 minutes: leeway lengthens every token.
    jwt_clock_leeway_s: float = Field(30.0, ge=0, le=300)

    relay_enabled: bool = True
    outbox_batch_size: int = 500
    outbox_poll_interval_s: float = 1.0
    outbox_retention_days: int = 7
    # How often the relay leader checks that the broker still holds its sentinel record, i.e.
    # has not lost its log (warmlink/broker_loss.py). 0 turns the check off.
    broker_check_interval_s: float = Field(5.0, ge=0)

    consumers_enabled: bool = True
    consumer_batch_size: int = 500
    consumer_max_attempts: int = 5
    consumer_backoff_initial_s: float = 0.1
    consumer_backoff_max_s: float = 5.0
    # How often a consumer looks for dead letters a person resolved, to replay them and release
    # the events they held back (warmlink/held_back.py).
    consumer_resolution_poll_s: float = Field(2.0, gt=0)

    # A background task (relay, consumer, worker) that raises is restarted after this backoff,
    # doubling up to the maximum (warmlink/supervision.py).
    task_restart_initial_s: float = Field(0.5, gt=0)
    task_restart_max_s: float = Field(30.0, gt=0)

    # Encryption at rest (warmlink.crypto): the key ring as `kid:base64,kid:base64` (32-byte keys),
    # and the id of the one new values are sealed with. Older keys stay in the ring until
    # `warmlink seal reseal` has moved every value off them (docs/operations.md, rotation).
    seal_keys: SecretStr | None = None
    seal_key_id: str | None = None
    seals: ClassVar[str | None] = None  # what the ring seals in this service: then required

    def legacy_seal_key(self) -> tuple[str, str] | None:
        """A service's older single-key setting (kid, base64), which joins the ring."""
        return None

    def seal_keyring(self) -> Keyring | None:
        """The configured key ring, None when no key is configured (ValueError when invalid)."""
        ring = self.seal_keys.get_secret_value() if self.seal_keys else None
        return Keyring.configured(ring, self.seal_key_id, self.legacy_seal_key())

    def required_seal_keyring(self) -> Keyring:
        found = self.seal_keyring()
        if found is None:
            prefix = self.model_config.get("env_prefix", "")
            raise RuntimeError(f"no encryption key: set {prefix}SEAL_KEYS and {prefix}SEAL_KEY_ID")
        return found

    @model_validator(mode="after")
    def _seal_keys_are_valid(self) -> ServiceSettings:
        ring = self.seal_keyring()  # raises ValueError: a ring without its current key
        if ring is None and self.seals and self.environment == "production":
            raise ValueError(
                f"refusing to start in production: no key seals {self.seals} "
                "(SEAL_KEYS and SEAL_KEY_ID)"
            )
        return self

    # Stored Idempotency-Key responses are replayed this long, then purged (a later retry of the
    # key is refused 409, never run twice); dead-letter values (key and event) are kept as long
    # as the dead-letter topic keeps them. Swept every RETENTION_SWEEP_INTERVAL_S
    # (warmlink/retention.py).
    idempotency_response_retention_h: float = Field(24.0, gt=0)
    dead_letter_retention_days: float = Field(30.0, gt=0)
    retention_sweep_interval_s: float = Field(3600.0, gt=0)

    log_level: str = "INFO"
    log_format: Literal["json", "console"] = "json"
    # Traces (docs/observability.md): where they go, the collector's OTLP/HTTP base URL, the share
    # of traces kept (decided where a trace starts, followed downstream), and whether asyncpg and
    # aiokafka add a span per query, send and fetch. Off by default: `make bench-tracing`
    # measured +34% to +41% of a screen's CPU over OTLP alone, past the 10% allowed.
    otel_exporter: Literal["none", "console", "otlp"] = "none"
    otlp_endpoint: str = "http://127.0.0.1:4318"
    otel_sample_ratio: float = Field(1.0, ge=0.0, le=1.0)
    otel_instrument: bool = False

    # Fault injection for the crash-recovery test only: exit right after reading committed outbox
    # rows and before publishing them. Refused in production.
    fault_crash_before_publish: bool = False

    @model_validator(mode="after")
    def _fill_defaults(self) -> ServiceSettings:
        if not self.database_url:
            self.database_url = f"postgresql://postgres@{DEV_DATABASE_HOST}/{self.service_name}"
        if not self.http_port:
            self.http_port = self.default_port
        production = self.environment == "production"
        if self.rate_limit_caller_per_s is None:
            self.rate_limit_caller_per_s = 100.0 if production else 10_000.0
        if self.rate_limit_address_per_s is None:
            self.rate_limit_address_per_s = 200.0 if production else 10_000.0
        return self

    def rate_limits(self) -> RateLimits:
        assert self.rate_limit_caller_per_s and self.rate_limit_address_per_s  # filled above
        return RateLimits.of(
            self.rate_limit_caller_per_s, self.rate_limit_address_per_s, self.rate_limit_burst_s
        )

    @model_validator(mode="after")
    def _check_kafka_security(self) -> ServiceSettings:
        protocol, mechanism = self.kafka_security_protocol, self.kafka_sasl_mechanism
        if protocol.startswith("SASL_"):
            if mechanism is None:
                raise ValueError(f"KAFKA_SASL_MECHANISM is required with {protocol}")
            if not self.kafka_sasl_username or self.kafka_sasl_password is None:
                raise ValueError("KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are required")
            if mechanism == "PLAIN" and protocol != "SASL_SSL":
                raise ValueError("KAFKA_SASL_MECHANISM=PLAIN sends the password: use SASL_SSL")
        elif mechanism is not None:
            raise ValueError(f"KAFKA_SASL_MECHANISM needs a SASL_ protocol, not {protocol}")
        if (self.kafka_ssl_certfile is None) != (self.kafka_ssl_keyfile is None):
            raise ValueError("KAFKA_SSL_CERTFILE and KAFKA_SSL_KEYFILE go together")
        return self

    @model_validator(mode="after")
    def _refuse_dev_defaults_in_production(self) -> ServiceSettings:
        if self.environment != "production":
            return self
        problems = []
        if DEV_DATABASE_HOST in self.database_url:
            problems.append("DATABASE_URL still points at the embedded development database")
        if urlsplit(self.database_url).username == SUPERUSER:
            problems.append(
                f"DATABASE_URL connects as the superuser '{SUPERUSER}': connect as the service's "
                "runtime role and migrate as its owner (MIGRATION_DATABASE_URL; warmlink db roles)"
            )
        if self.kafka_bootstrap_servers == DEV_KAFKA:
            problems.append("KAFKA_BOOTSTRAP_SERVERS still points at the embedded broker")
        if self.kafka_profile is not KafkaProfile.KAFKA:
            problems.append("KAFKA_PROFILE must be 'kafka' in production")
        if self.jwt_public_key_file is not None:
            problems.append(
                "JWT_PUBLIC_KEY_FILE is a static development key (key id 'dev': any organization, "
                "any role, unaffected by suspension): unset it and use JWKS_URL"
            )
        if self.jwks_url is None:
            problems.append("JWKS_URL must name the directory's https JWKS document")
        elif not self.jwks_url.startswith("https://"):
            problems.append(
                "JWKS_URL must be an https:// URL: keys fetched over http can be forged"
            )
        if self.jwt_issuer == DEV_ISSUER:
            problems.append(f"JWT_ISSUER is still the development issuer '{DEV_ISSUER}'")
        if self.kafka_security_protocol not in ("SSL", "SASL_SSL"):
            problems.append(
                f"KAFKA_SECURITY_PROTOCOL={self.kafka_security_protocol} sends events (PHI) "
                "unencrypted: use SSL or SASL_SSL"
            )
        for name, carries in self.https_urls.items():
            url = getattr(self, name)
            if url and not str(url).startswith("https://"):
                problems.append(f"{name.upper()} must be an https:// URL: it carries {carries}")
        if not self.kafka_ssl_check_hostname:
            problems.append("KAFKA_SSL_CHECK_HOSTNAME must stay on in production")
        if self.fault_crash_before_publish:
            problems.append("fault injection is for tests only")
        if problems:
            raise ValueError("refusing to start in production: " + "; ".join(problems))
        return self
