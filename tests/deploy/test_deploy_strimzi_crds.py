"""The vendored CRDs (deploy/k8s/crds, Strimzi's and CloudNativePG's) are the released files
their README names, byte for byte: each file's SHA-256 is the one recorded there, and every file
there is recorded."""

from __future__ import annotations

import hashlib
import re

from tools.deploy.crds import CRDS_DIR, schemas

RECORDED = re.compile(r"^\| `([^`]+\.yaml)` \| `([0-9a-f]{64})` \|$", re.MULTILINE)


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
