"""The rendered NetworkPolicies, read by tests/support/netpol.py: each Warmlink process reaches
DNS, its database through the pooler, the brokers (if it uses them), the other APIs through the
TLS front, and the outside only where it must; nothing else reaches the APIs but the front and
Prometheus."""

from __future__ import annotations

import pytest

from tests.support.k8s import Manifest, containers, of_kind
from tests.support.netpol import Endpoint, may_connect

APIS = ("screening", "directory", "referral", "followup", "portal")
DNS = Endpoint("dns", "kube-system", {"k8s-app": "kube-dns"})
POOLER = Endpoint("pooler", "warmlink", {"cnpg.io/poolerName": "warmlink-db-pooler-rw"})
DATABASE = Endpoint("postgres", "warmlink", {"cnpg.io/cluster": "warmlink-db"})
BROKER_LABELS = {"strimzi.io/cluster": "warmlink-kafka", "strimzi.io/broker-role": "true"}
BROKER = Endpoint("kafka", "warmlink", BROKER_LABELS)
FRONT = Endpoint(
    "ingress-nginx",
    "ingress-nginx",
    {"app.kubernetes.io/name": "ingress-nginx", "app.kubernetes.io/component": "controller"},
)
PROMETHEUS = Endpoint("prometheus", "monitoring", {"app.kubernetes.io/name": "prometheus"})
COLLECTOR = Endpoint(
    "otel-collector", "monitoring", {"app.kubernetes.io/name": "opentelemetry-collector"}
)
STRANGER = Endpoint("stranger", "default", {"app": "anything"})
INTERNET = Endpoint("subscriber", ip="203.0.113.10")  # a webhook subscriber, an SMS provider
INTERNAL = Endpoint("internal", ip="10.1.2.3")  # something on the private network


@pytest.fixture(scope="module")
def policies(rendered: list[Manifest]) -> list[Manifest]:
    return list(of_kind(rendered, "NetworkPolicy").values())


@pytest.fixture(scope="module")
def pods(rendered: list[Manifest]) -> dict[str, Endpoint]:
    """One pod of each Warmlink Deployment, as the policies see it."""
    found = {}
    for name, deployment in of_kind(rendered, "Deployment").items():
        ports = {
            p["name"]: p["containerPort"]
            for c in containers(deployment)
            for p in c.get("ports", [])
        }
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        found[name.removeprefix("warmlink-")] = Endpoint(name, "warmlink", labels, ports)
    return found


def test_every_process_reaches_dns_and_its_database_only_through_the_pooler(
    policies: list[Manifest], pods: dict[str, Endpoint]
) -> None:
    for name, pod in pods.items():
        assert may_connect(policies, pod, DNS, 53, "UDP"), name
        assert may_connect(policies, pod, POOLER, 5432), name
        assert not may_connect(policies, pod, DATABASE, 5432), f"{name} bypasses the pooler"
        assert not may_connect(policies, pod, POOLER, 6432), name


def test_every_process_sends_traces_to_the_collector_and_nothing_else_in_monitoring(
    policies: list[Manifest], pods: dict[str, Endpoint]
) -> None:
    for name, pod in pods.items():
        assert may_connect(policies, pod, COLLECTOR, 4318), name
        assert not may_connect(policies, pod, COLLECTOR, 4317), f"{name}: OTLP/gRPC is not used"
        assert not may_connect(policies, pod, PROMETHEUS, 9090), name


def test_apis_reach_the_brokers_tls_listener_only(
    policies: list[Manifest], pods: dict[str, Endpoint]
) -> None:
    for name in APIS:
        assert may_connect(policies, pods[name], BROKER, 9093), name
        assert not may_connect(policies, pods[name], BROKER, 9092), f"{name}: plaintext"
    assert not may_connect(policies, pods["referral-webhooks"], BROKER, 9093)


def test_apis_call_each_other_only_through_the_tls_front(
    policies: list[Manifest], pods: dict[str, Endpoint]
) -> None:
    # The portal calls the four others; the referral service calls the directory; every
    # process fetches the directory's JWKS. All through the front's https addresses.
    for name, pod in pods.items():
        assert may_connect(policies, pod, FRONT, 443), name
    for name in APIS:
        assert may_connect(policies, FRONT, pods[name], "http"), name
        for other in APIS:
            if other != name:
                port = pods[other].ports["http"]
                assert not may_connect(policies, pods[name], pods[other], port), (name, other)
    # e.g. screening cannot open the referral API (nor its database, above) directly
    assert not may_connect(policies, pods["screening"], pods["referral"], 8003)


def test_only_the_front_and_prometheus_reach_the_apis(
    policies: list[Manifest], pods: dict[str, Endpoint]
) -> None:
    for name in APIS:
        assert may_connect(policies, PROMETHEUS, pods[name], "http"), name
        assert not may_connect(policies, STRANGER, pods[name], "http"), name
        assert not may_connect(policies, pods["referral-webhooks"], pods[name], "http"), name
        assert not may_connect(policies, FRONT, pods[name], 9999), name


def test_only_the_processes_that_send_outside_reach_public_addresses(
    policies: list[Manifest], pods: dict[str, Endpoint]
) -> None:
    senders = {"referral", "referral-webhooks", "portal"}  # webhooks, SMS, mail, identity providers
    for name, pod in pods.items():
        assert may_connect(policies, pod, INTERNET, 443) is (name in senders), name
        assert not may_connect(policies, pod, INTERNAL, 443), f"{name} reaches a private address"
        assert not may_connect(policies, pod, INTERNET, 22), name


def test_the_evaluator_denies_what_a_policy_does_not_allow() -> None:
    """The reading itself: open without policies, closed by a default deny, opened by a rule."""
    a = Endpoint("a", "ns", {"app": "a"})
    b = Endpoint("b", "ns", {"app": "b"}, {"http": 8080})
    deny: Manifest = {
        "metadata": {"name": "deny", "namespace": "ns"},
        "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]},
    }
    assert may_connect([], a, b, 8080)
    assert not may_connect([deny], a, b, 8080)
    allow_out: Manifest = {
        "metadata": {"name": "out", "namespace": "ns"},
        "spec": {
            "podSelector": {"matchLabels": {"app": "a"}},
            "policyTypes": ["Egress"],
            "egress": [
                {
                    "to": [{"podSelector": {"matchLabels": {"app": "b"}}}],
                    "ports": [{"port": "http"}],
                }
            ],
        },
    }
    assert not may_connect([deny, allow_out], a, b, 8080), "b's ingress is still closed"
    allow_in: Manifest = {
        "metadata": {"name": "in", "namespace": "ns"},
        "spec": {
            "podSelector": {
                "matchExpressions": [{"key": "app", "operator": "In", "values": ["b"]}]
            },
            "policyTypes": ["Ingress"],
            "ingress": [{"from": [{"podSelector": {}}]}],
        },
    }
    assert may_connect([deny, allow_out, allow_in], a, b, "http")
    assert not may_connect([deny, allow_out, allow_in], a, b, 8081)
    assert not may_connect(
        [deny, allow_out, allow_in], Endpoint("c", "other", {"app": "a"}), b, 8080
    )
