"""Each rendered container's environment names real settings, and its service's settings class
accepts it with ENVIRONMENT=production (the production guard refuses development defaults).

The Secrets are the operator's (deploy/README.md, "Kubernetes"): SECRETS below stands for them,
by name and key, so a reference to a Secret or key the walkthrough does not create fails here.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from services.referral.subscriptions.workers.startup import DELIVERY_POOL_MAX
from tests.deploy.test_deploy_compose import ROOT, SERVICES, _settings_class
from tests.support.k8s import Manifest, containers, of_kind, render, resolved_env

POOLER = "warmlink-db-pooler-rw.warmlink.svc"
KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="  # base64 of 32 bytes
SECRETS: dict[tuple[str, str], str] = {
    **{
        (f"warmlink-{name}-db", key): f"postgresql://{name}_{role}:pw@{POOLER}:5432/{name}"
        for name in SERVICES
        for key, role in (("database-url", "app"), ("migration-database-url", "owner"))
    },
    ("warmlink-screening-keys", "seal-keys"): f"screening-1:{KEY}",
    ("warmlink-directory-keys", "key-encryption-key"): KEY,
    ("warmlink-referral-keys", "phi-key"): KEY,
    ("warmlink-portal-keys", "secrets-key"): KEY,
}


def _environments(rendered: list[Manifest]) -> dict[str, tuple[str, dict[str, str]]]:
    """Each Deployment's service name and resolved environment."""
    found = {}
    for name, deployment in of_kind(rendered, "Deployment").items():
        service = name.removeprefix("warmlink-").removesuffix("-webhooks")
        (container,) = containers(deployment)
        found[name] = (service, resolved_env(container, rendered, SECRETS))
    return found


def test_every_variable_is_a_real_setting_of_its_service(rendered: list[Manifest]) -> None:
    for name, (service, env) in _environments(rendered).items():
        prefix, _ = SERVICES[service]
        strays = [k for k in env if not k.startswith(prefix)]
        assert not strays, f"{name}: variables without the {prefix} prefix are ignored: {strays}"
        fields = set(_settings_class(service).model_fields)
        unknown = [k for k in env if k[len(prefix) :].lower() not in fields]
        assert not unknown, f"{name}: no such setting: {unknown}"


def test_every_service_settings_class_accepts_its_environment_in_production(
    rendered: list[Manifest], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, (service, env) in _environments(rendered).items():
        prefix, port = SERVICES[service]
        with monkeypatch.context() as patch:
            for key in [k for k in os.environ if k.startswith(prefix)]:
                patch.delenv(key)
            for key, value in env.items():
                patch.setenv(key, value)
            settings = _settings_class(service)()

        assert settings.environment == "production", name
        assert settings.http_port == port
        assert urlsplit(settings.database_url).hostname == POOLER
        assert urlsplit(settings.database_url).username == f"{service}_app"
        assert (
            settings.kafka_bootstrap_servers == "warmlink-kafka-kafka-bootstrap.warmlink.svc:9093"
        )
        assert settings.kafka_security_protocol == "SSL"
        assert settings.kafka_topic_prefix == ""


def test_mounted_kafka_files_are_those_the_settings_name(rendered: list[Manifest]) -> None:
    for name, deployment in of_kind(rendered, "Deployment").items():
        service, env = _environments(rendered)[name]
        prefix, _ = SERVICES[service]
        (container,) = containers(deployment)
        volumes = {v["name"]: v for v in deployment["spec"]["template"]["spec"]["volumes"]}
        files = {
            f"{mount['mountPath']}/{item['path']}": (volumes[mount["name"]]["secret"], item["key"])
            for mount in container["volumeMounts"]
            if "secret" in volumes[mount["name"]]
            for item in volumes[mount["name"]]["secret"]["items"]
        }
        if name == "warmlink-referral-webhooks":
            assert not files, "the webhook delivery process uses no broker: no client certificate"
            continue
        secrets = {
            setting: (files[env[f"{prefix}KAFKA_SSL_{setting}"]][0]["secretName"])
            for setting in ("CAFILE", "CERTFILE", "KEYFILE")
        }
        assert secrets == {
            "CAFILE": "warmlink-kafka-cluster-ca-cert",  # Strimzi's cluster CA
            "CERTFILE": f"warmlink-{service}",  # the service's KafkaUser
            "KEYFILE": f"warmlink-{service}",
        }


def test_the_scaling_note_counts_the_connections_the_region_holds(tmp_path: Path) -> None:
    """docs/scaling.md sizes the pooler from these: every replica's pools, at the autoscalers'
    minimum and maximum, in the production overlay."""
    rendered = render("production", tmp_path)
    autoscalers = of_kind(rendered, "HorizontalPodAutoscaler")
    fields = _settings_class("referral").model_fields
    least = most = 0
    for name, (service, env) in _environments(rendered).items():
        prefix, _ = SERVICES[service]
        if name == "warmlink-referral-webhooks":
            per_replica = DELIVERY_POOL_MAX  # its only pool
        else:
            per_replica = sum(
                int(env.get(f"{prefix}{setting.upper()}", fields[setting].default))
                for setting in ("database_pool_max", "database_background_pool_max")
            ) + (DELIVERY_POOL_MAX if service == "referral" else 0)
        least += per_replica * autoscalers[name]["spec"]["minReplicas"]
        most += per_replica * autoscalers[name]["spec"]["maxReplicas"]
    note = (ROOT / "docs" / "scaling.md").read_text()
    assert f"= {least:,} server connections" in note
    assert f"= {most:,}." in note


def _walkthrough_secrets() -> set[tuple[str, str]]:
    """(name, key) of each secret deploy/README.md's walkthrough creates; `$s` is each service."""
    text = (ROOT / "deploy" / "README.md").read_text().replace("\\\n", " ")
    made = set()
    for line in text.splitlines():
        if (found := re.search(r"create secret generic (\S+)", line)) is None:
            continue
        keys = re.findall(r"--from-literal=([\w-]+)=", line)
        names = (
            [found[1].replace("$s", name) for name in SERVICES] if "$s" in found[1] else [found[1]]
        )
        made |= {(name, key) for name in names for key in keys}
    return made


def test_the_walkthrough_creates_every_secret_the_manifests_read(rendered: list[Manifest]) -> None:
    made = _walkthrough_secrets()
    read = {
        (ref["secretKeyRef"]["name"], ref["secretKeyRef"]["key"])
        for deployment in of_kind(rendered, "Deployment").values()
        for container in containers(deployment)
        for item in container.get("env", [])
        if "secretKeyRef" in (ref := item.get("valueFrom", {}))
    }
    assert read <= made, f"deploy/README.md creates no {sorted(read - made)}"
    assert set(SECRETS) <= made
