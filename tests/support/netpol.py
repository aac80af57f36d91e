"""A small reading of Kubernetes NetworkPolicy: may a connection from A reach B on a port?

The rules of networking.k8s.io/v1, as far as Warmlink's policies use them: a pod that no policy
selects for a direction is open in that direction; one that some policy selects allows only what
a rule of one of those policies allows. A connection needs the source's egress and the
destination's ingress. Peers are pod selectors (in the policy's namespace), namespace selectors
(with or without a pod selector) and IP blocks (for endpoints outside the cluster); ports are
numbers or a container port's name on the destination. Selectors read matchLabels and
matchExpressions (In, NotIn, Exists, DoesNotExist).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any

Policy = dict[str, Any]


@dataclass(frozen=True)
class Endpoint:
    """A pod (namespace and labels, with its named ports) or an address outside the cluster."""

    name: str
    namespace: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=dict)
    ip: str = ""  # set for an address outside the cluster, which no pod selector matches

    @property
    def is_pod(self) -> bool:
        return not self.ip


def matches(selector: dict[str, Any] | None, labels: dict[str, str]) -> bool:
    if selector is None:
        return False
    if any(labels.get(k) != v for k, v in selector.get("matchLabels", {}).items()):
        return False
    for expression in selector.get("matchExpressions", []):
        key, operator, values = expression["key"], expression["operator"], expression.get("values")
        present = key in labels
        if operator == "In" and not (present and labels[key] in values):
            return False
        if operator == "NotIn" and present and labels[key] in values:
            return False
        if operator == "Exists" and not present:
            return False
        if operator == "DoesNotExist" and present:
            return False
    return True


def _namespace_labels(endpoint: Endpoint) -> dict[str, str]:
    return {"kubernetes.io/metadata.name": endpoint.namespace}


def _peer_matches(peer: dict[str, Any], policy_namespace: str, other: Endpoint) -> bool:
    if "ipBlock" in peer:
        if other.is_pod:
            return False  # pod-to-pod traffic is matched by selectors (pod IPs are not modelled)
        address = ipaddress.ip_address(other.ip)
        block = peer["ipBlock"]
        excepted = any(address in ipaddress.ip_network(e) for e in block.get("except", []))
        return address in ipaddress.ip_network(block["cidr"]) and not excepted
    if not other.is_pod:
        return False
    if "namespaceSelector" in peer:
        if not matches(peer["namespaceSelector"], _namespace_labels(other)):
            return False
    elif other.namespace != policy_namespace:
        return False
    return "podSelector" not in peer or matches(peer["podSelector"], other.labels)


def _port_matches(
    rule_ports: list[dict[str, Any]] | None, port: int, protocol: str, destination: Endpoint
) -> bool:
    if not rule_ports:
        return True  # no ports: every port
    for item in rule_ports:
        if item.get("protocol", "TCP") != protocol:
            continue
        wanted = item.get("port")
        if wanted is None:
            return True
        number = destination.ports.get(wanted) if isinstance(wanted, str) else wanted
        if number is not None and (number <= port <= item.get("endPort", number)):
            return True
    return False


def _selecting(policies: list[Policy], pod: Endpoint, direction: str) -> list[Policy]:
    found = []
    for policy in policies:
        spec = policy["spec"]
        types = spec.get("policyTypes") or (
            ["Ingress", "Egress"] if "egress" in spec else ["Ingress"]
        )
        if (
            direction in types
            and policy["metadata"].get("namespace", "default") == pod.namespace
            and matches(spec.get("podSelector", {}), pod.labels)
        ):
            found.append(policy)
    return found


def _allowed(
    policies: list[Policy],
    pod: Endpoint,
    other: Endpoint,
    direction: str,
    port: int,
    protocol: str,
    destination: Endpoint,
) -> bool:
    if not pod.is_pod:
        return True  # outside the cluster: no policy applies there
    selecting = _selecting(policies, pod, direction)
    if not selecting:
        return True
    key, peers_key = ("egress", "to") if direction == "Egress" else ("ingress", "from")
    for policy in selecting:
        namespace = policy["metadata"].get("namespace", "default")
        for rule in policy["spec"].get(key, []):
            peers = rule.get(peers_key)
            if peers and not any(_peer_matches(p, namespace, other) for p in peers):
                continue
            if _port_matches(rule.get("ports"), port, protocol, destination):
                return True
    return False


def may_connect(
    policies: list[Policy],
    source: Endpoint,
    destination: Endpoint,
    port: int | str,
    protocol: str = "TCP",
) -> bool:
    """Whether `source` may open a connection to `destination` on `port` (number or name)."""
    number = destination.ports[port] if isinstance(port, str) else port
    return _allowed(
        policies, source, destination, "Egress", number, protocol, destination
    ) and _allowed(policies, destination, source, "Ingress", number, protocol, destination)
