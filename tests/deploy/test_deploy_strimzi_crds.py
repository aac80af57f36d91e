"""The Strimzi and CloudNativePG resources against the operators' own schemas, offline: the
vendored CRDs (deploy/k8s/crds) are the released files their README names, byte for byte; every
custom resource in deploy/k8s/base/kafka and deploy/k8s/base/postgres validates against them;
the generated files are current (a changed topic table fails until `make contracts`); and each
kustomization lists its directory's manifests."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import pytest

from tools.deploy import cnpg, strimzi
from tools.deploy.crds import CRDS_DIR, schemas, violations
from tools.deploy.manifests import KUSTOMIZATION, ROOT, load, resources_in, stale

RECORDED = re.compile(r"^\| `([^`]+\.yaml)` \| `([0-9a-f]{64})` \|$", re.MULTILINE)
DIRECTORIES = (ROOT / strimzi.KAFKA_DIR, ROOT / cnpg.POSTGRES_DIR)


def test_each_vendored_crd_has_the_recorded_sha256() -> None:
    readme = (CRDS_DIR / "README.md").read_text(encoding="utf-8")
    recorded = dict(RECORDED.findall(readme))
    on_disk = {
        str(path.relative_to(CRDS_DIR)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in CRDS_DIR.glob("*/*.yaml")
    }
    assert on_disk == recorded


def test_the_kinds_warmlink_uses_are_served_in_the_versions_it_writes() -> None:
    assert set(schemas()) == {
        ("kafka.strimzi.io/v1", "Kafka"),
        ("kafka.strimzi.io/v1", "KafkaNodePool"),
        ("kafka.strimzi.io/v1", "KafkaTopic"),
        ("kafka.strimzi.io/v1", "KafkaUser"),
        ("postgresql.cnpg.io/v1", "Cluster"),
        ("postgresql.cnpg.io/v1", "Database"),
        ("postgresql.cnpg.io/v1", "Pooler"),
        ("postgresql.cnpg.io/v1", "ScheduledBackup"),
        ("barmancloud.cnpg.io/v1", "ObjectStore"),
    }


def test_the_generated_manifests_are_current() -> None:
    assert stale({**strimzi.render(), **cnpg.render()}) == [], "run `make contracts`, commit"


@pytest.mark.parametrize("directory", DIRECTORIES, ids=lambda d: d.name)
def test_each_kustomization_lists_every_manifest_of_its_directory(directory: Path) -> None:
    (kustomization,) = load(directory / KUSTOMIZATION)
    assert set(kustomization["resources"]) == {
        p.name for p in directory.glob("*.yaml") if p.name != KUSTOMIZATION
    }


@pytest.mark.parametrize(
    "resource",
    [r for d in DIRECTORIES for r in resources_in(d)],
    ids=lambda r: f"{r['kind']}-{r['metadata']['name']}",
)
def test_every_custom_resource_validates_against_its_crd(resource: dict[str, Any]) -> None:
    assert violations(resource) == []


def test_what_a_crd_refuses_is_reported() -> None:
    """The check can fail: a wrong type, an unknown field (a typo), an unknown version."""
    topic = strimzi.kafka_topic(strimzi.ALL_TOPICS[0])
    topic["spec"] |= {"partitions": "twelve", "replica": 3}
    found = violations(topic)
    assert any("spec/partitions" in v for v in found) and any("'replica'" in v for v in found)
    pooler = next(r for r in resources_in(ROOT / cnpg.POSTGRES_DIR) if r["kind"] == "Pooler")
    pooler["spec"]["pgbouncer"]["poolMode"] = "statement"
    assert any("poolMode" in v for v in violations(pooler))
    assert violations(topic | {"apiVersion": "kafka.strimzi.io/v1beta2"})
