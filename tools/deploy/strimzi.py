"""Strimzi's KafkaTopic and KafkaUser resources, written from the topic table.

    python -m tools.deploy.strimzi            # writes deploy/k8s/base/kafka/{topics,users}.yaml
    python -m tools.deploy.strimzi --check    # exit 1 if they differ from the table (make test)

Topics come from contracts/topics.py (and the relay's sentinel topic, warmlink/broker_loss.py).
Each service's Kafka user may do what the table and its code say it does, and nothing else:
Write and Describe on the topics it produces to (its own, the dead letters and the sentinel),
Read and Describe on the topics it consumes, Read on the consumer groups its code declares.
It may not create topics (KAFKA_CREATE_TOPICS=false) nor touch another service's groups.
Names are literal: the Deployments set KAFKA_TOPIC_PREFIX to "" (warmlink/kafka.py prefixes
topics and groups alike), so no ACL needs a prefix pattern.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from contracts.topics import SERVICES, TOPICS, Topic, used_by
from tools.deploy.manifests import HEADER, Rendered, documents, main
from warmlink.broker_loss import SENTINEL_TOPIC
from warmlink.consumer import Subscription

CLUSTER = "warmlink-kafka"
MODULE = "tools.deploy.strimzi"
KAFKA_DIR = "deploy/k8s/base/kafka"
TOPICS_FILE = f"{KAFKA_DIR}/topics.yaml"
USERS_FILE = f"{KAFKA_DIR}/users.yaml"
API_VERSION = "kafka.strimzi.io/v1"
# Three copies of every partition on three brokers; a write is acknowledged (acks=all) once two
# have it, so one broker may be down or restarting without stopping producers or losing a write.
REPLICAS = 3
MIN_INSYNC_REPLICAS = 2
ALL_TOPICS: tuple[Topic, ...] = (*TOPICS, SENTINEL_TOPIC)


def subscriptions(service: str) -> tuple[Subscription, ...]:
    """The consumer groups the service's code declares (warmlink.consumer.Subscription)."""
    bootstrap = importlib.import_module(f"services.{service}.bootstrap")
    return tuple(bootstrap.spec(bootstrap.Settings()).subscriptions)


@dataclass(frozen=True)
class Acl:
    kind: str  # "topic" or "group"
    name: str
    operations: tuple[str, ...]

    def resource(self) -> dict[str, Any]:
        return {
            "resource": {"type": self.kind, "name": self.name, "patternType": "literal"},
            "operations": list(self.operations),
            "host": "*",
        }


def acls(service: str) -> list[Acl]:
    """What the service's Kafka user may do, one entry per topic or group, names sorted."""
    rights: dict[str, set[str]] = {}
    for row in (*used_by(service), SENTINEL_TOPIC):
        ops = rights.setdefault(row.name, set())
        if service in row.producers:
            ops |= {"Write", "Describe"}
        if service in row.consumers:
            ops |= {"Read", "Describe"}
    # The relay leader reads its own sentinel back (a reader outside any group).
    rights[SENTINEL_TOPIC.name] |= {"Read"}
    topic_acls = [Acl("topic", name, tuple(sorted(ops))) for name, ops in sorted(rights.items())]
    groups = sorted(s.consumer for s in subscriptions(service))
    return topic_acls + [Acl("group", group, ("Read",)) for group in groups]


def kafka_topic(row: Topic) -> dict[str, Any]:
    return {
        "apiVersion": API_VERSION,
        "kind": "KafkaTopic",
        "metadata": {"name": row.name, "labels": _labels()},
        "spec": {
            "partitions": row.partitions,
            "replicas": REPLICAS,
            "config": {
                "retention.ms": row.retention_ms,
                "min.insync.replicas": MIN_INSYNC_REPLICAS,
            },
        },
    }


def kafka_user(service: str) -> dict[str, Any]:
    """Strimzi issues the user's certificate into a Secret of the same name (user.crt, user.key)."""
    return {
        "apiVersion": API_VERSION,
        "kind": "KafkaUser",
        "metadata": {"name": f"warmlink-{service}", "labels": _labels()},
        "spec": {
            "authentication": {"type": "tls"},
            "authorization": {"type": "simple", "acls": [a.resource() for a in acls(service)]},
        },
    }


def _labels() -> dict[str, str]:
    return {"strimzi.io/cluster": CLUSTER, "app.kubernetes.io/part-of": "warmlink"}


def resources() -> Iterator[dict[str, Any]]:
    """Every generated resource (the tests validate each against its CRD)."""
    yield from (kafka_topic(row) for row in ALL_TOPICS)
    yield from (kafka_user(service) for service in SERVICES)


def render() -> Rendered:
    """Strimzi's KafkaTopic and KafkaUser resources from the topic table."""
    return {
        TOPICS_FILE: documents(
            HEADER.format(module=MODULE, source="contracts/topics.py and warmlink/broker_loss.py"),
            (kafka_topic(row) for row in ALL_TOPICS),
        ),
        USERS_FILE: documents(
            HEADER.format(
                module=MODULE, source="contracts/topics.py and each service's consumer groups"
            ),
            (kafka_user(service) for service in SERVICES),
        ),
    }


if __name__ == "__main__":
    sys.exit(main(render))
