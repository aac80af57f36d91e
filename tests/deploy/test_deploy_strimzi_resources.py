"""Strimzi's resources for the region, offline: the KafkaTopics are the topic table's rows, each
KafkaUser's ACLs grant exactly what the table and the service's declared consumer groups need,
and the cluster is the one the services are configured for. (That the files are current and
validate against the CRDs: test_deploy_strimzi_crds.py.)"""

from __future__ import annotations

from typing import Any

import pytest

from contracts.topics import DEAD_LETTER, SERVICES, TOPICS
from tools.deploy import strimzi
from tools.deploy.manifests import ROOT, load, resources_in
from warmlink.broker_loss import SENTINEL_TOPIC

KAFKA_DIR = ROOT / strimzi.KAFKA_DIR
SENTINEL = SENTINEL_TOPIC.name


def _manifests() -> list[dict[str, Any]]:
    return resources_in(KAFKA_DIR)


def test_each_topic_is_the_table_row_with_three_replicas_and_two_in_sync() -> None:
    topics = load(KAFKA_DIR / "topics.yaml")
    by_name = {t["metadata"]["name"]: t["spec"] for t in topics}
    assert set(by_name) == {row.name for row in TOPICS} | {SENTINEL}
    for row in (*TOPICS, SENTINEL_TOPIC):
        spec = by_name[row.name]
        assert (spec["partitions"], spec["replicas"]) == (row.partitions, 3)
        assert spec["config"] == {"retention.ms": row.retention_ms, "min.insync.replicas": 2}


def _granted(service: str, kind: str, operation: str) -> set[str]:
    user = strimzi.kafka_user(service)
    return {
        acl["resource"]["name"]
        for acl in user["spec"]["authorization"]["acls"]
        if acl["resource"]["type"] == kind and operation in acl["operations"]
    }


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_writes_only_the_topics_the_table_says_it_produces(service: str) -> None:
    produced = {row.name for row in TOPICS if service in row.producers}
    assert DEAD_LETTER in produced
    assert _granted(service, "topic", "Write") == produced | {SENTINEL}


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_reads_exactly_the_topics_its_code_consumes_and_the_table_lists(
    service: str,
) -> None:
    """The table's consumers are checked against the code: a group reading a topic the table
    does not give it would be refused by the broker (and the reverse grants a needless right)."""
    in_code = {name for s in strimzi.subscriptions(service) for name in s.topics}
    in_table = {row.name for row in TOPICS if service in row.consumers}
    assert in_code == in_table
    assert _granted(service, "topic", "Read") == in_table | {SENTINEL}


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_joins_only_the_consumer_groups_its_code_declares(service: str) -> None:
    declared = {s.consumer for s in strimzi.subscriptions(service)}
    assert _granted(service, "group", "Read") == declared
    for other in set(SERVICES) - {service}:
        assert not declared & _granted(other, "group", "Read")


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_may_describe_only_its_own_topics_and_nothing_more(service: str) -> None:
    user = strimzi.kafka_user(service)
    acls = user["spec"]["authorization"]["acls"]
    assert {op for acl in acls for op in acl["operations"]} <= {"Read", "Write", "Describe"}
    assert {acl["resource"]["type"] for acl in acls} <= {"topic", "group"}
    assert {acl["resource"]["patternType"] for acl in acls} == {"literal"}
    readable_or_written = _granted(service, "topic", "Read") | _granted(service, "topic", "Write")
    assert _granted(service, "topic", "Describe") == readable_or_written
    assert user["metadata"]["name"] == f"warmlink-{service}"
    assert user["spec"]["authentication"] == {"type": "tls"}


def test_the_cluster_is_the_one_the_services_and_users_name() -> None:
    kafka = next(r for r in _manifests() if r["kind"] == "Kafka")
    assert kafka["metadata"]["name"] == strimzi.CLUSTER
    (listener,) = kafka["spec"]["kafka"]["listeners"]
    assert (listener["port"], listener["tls"], listener["authentication"]) == (
        9093,
        True,
        {"type": "tls"},
    )
    assert listener["networkPolicyPeers"] == [
        {"podSelector": {"matchLabels": {"app.kubernetes.io/part-of": "warmlink"}}}
    ]
    assert kafka["spec"]["kafka"]["authorization"] == {"type": "simple"}
    assert kafka["spec"]["kafka"]["config"]["auto.create.topics.enable"] is False
    pools = {r["metadata"]["name"]: r["spec"] for r in _manifests() if r["kind"] == "KafkaNodePool"}
    assert {n: (p["replicas"], p["roles"]) for n, p in pools.items()} == {
        "controllers": (3, ["controller"]),
        "brokers": (3, ["broker"]),
    }
    labelled = [r for r in _manifests() if r["kind"] != "Kafka"]
    assert {r["metadata"]["labels"]["strimzi.io/cluster"] for r in labelled} == {strimzi.CLUSTER}
