"""deploy/k8s: both overlays render offline, every object is valid Kubernetes 1.33, and every
Warmlink process runs probed, bounded, non-root and read-only, scaled and disrupted safely."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import kubernetes_validate
import pytest

from tests.support.k8s import Manifest, containers, of_kind
from tools.deploy.crds import violations

KUBERNETES = "1.33.0"
# Strimzi's and CloudNativePG's resources: against the vendored CRDs (tools/deploy/crds.py).
OPERATOR_GROUPS = ("kafka.strimzi.io/", "postgresql.cnpg.io/", "barmancloud.cnpg.io/")
APIS = ("screening", "directory", "referral", "followup", "portal")
PROCESSES = {f"warmlink-{name}" for name in (*APIS, "referral-webhooks")}
NOT_HTTP = {"warmlink-referral-webhooks"}  # the webhook delivery process serves no HTTP
PARTITIONS = 12  # every topic's (contracts/topics.py): more consumers than this would idle


@pytest.fixture(scope="module")
def deployments(rendered: list[Manifest]) -> dict[str, Manifest]:
    return of_kind(rendered, "Deployment")


def test_every_object_is_valid_kubernetes(rendered: list[Manifest]) -> None:
    checked = custom = 0
    for manifest in rendered:
        if manifest["apiVersion"].startswith(OPERATOR_GROUPS):
            # As the overlay renders them: a patch to a custom resource is checked too.
            assert violations(manifest) == [], manifest["metadata"]["name"]
            custom += 1
            continue
        # Strict: a field the schema does not know (a typo, a wrong indent) is an error too.
        kubernetes_validate.validate(manifest, KUBERNETES, strict=True)
        checked += 1
    assert checked >= 30, f"only {checked} objects rendered"
    assert custom >= 10, f"only {custom} Strimzi/CloudNativePG resources rendered"


def test_every_warmlink_object_is_in_the_warmlink_namespace(rendered: list[Manifest]) -> None:
    kinds = {"Deployment", "Service", "PodDisruptionBudget", "HorizontalPodAutoscaler"}
    kinds |= {"ConfigMap", "Ingress", "NetworkPolicy"}
    for manifest in rendered:
        if manifest["kind"] in kinds:
            assert manifest["metadata"]["namespace"] == "warmlink", manifest["metadata"]["name"]


def test_a_deployment_per_process(deployments: dict[str, Manifest]) -> None:
    assert set(deployments) == PROCESSES
    for name, deployment in deployments.items():
        (container,) = containers(deployment)
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert labels["app.kubernetes.io/name"] == name
        assert labels["app.kubernetes.io/part-of"] == "warmlink"
        service = name.removeprefix("warmlink-").removesuffix("-webhooks")
        expected = (
            "services.referral.subscriptions.entrypoints.delivery_process"
            if name in NOT_HTTP
            else f"services.{service}"
        )
        assert container["args"] == [expected]
        assert container["image"].startswith("registry.example.org/warmlink/warmlink:")


def test_http_processes_are_probed_on_health_and_ready(deployments: dict[str, Manifest]) -> None:
    for name, deployment in deployments.items():
        (container,) = containers(deployment)
        if name in NOT_HTTP:
            assert "ports" not in container and "readinessProbe" not in container
            continue
        assert container["readinessProbe"]["httpGet"] == {"path": "/ready", "port": "http"}
        assert container["livenessProbe"]["httpGet"] == {"path": "/health", "port": "http"}
        assert container["startupProbe"]["httpGet"]["path"] == "/health"
        (port,) = container["ports"]
        assert port["name"] == "http"


def test_every_container_has_requests_and_limits(deployments: dict[str, Manifest]) -> None:
    for deployment in deployments.values():
        (container,) = containers(deployment)
        resources = container["resources"]
        assert set(resources["requests"]) == {"cpu", "memory"}
        assert set(resources["limits"]) == {"cpu", "memory"}


def test_every_container_is_non_root_read_only_without_capabilities(
    deployments: dict[str, Manifest],
) -> None:
    for name, deployment in deployments.items():
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["securityContext"]["runAsUser"] == 10001  # deploy/Dockerfile's user
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        assert pod["automountServiceAccountToken"] is False
        (container,) = containers(deployment)
        context = container["securityContext"]
        assert context["readOnlyRootFilesystem"] is True, name
        assert context["allowPrivilegeEscalation"] is False
        assert context["capabilities"] == {"drop": ["ALL"]}
        tmp = {m["name"] for m in container["volumeMounts"] if m["mountPath"] == "/tmp"}
        assert {v["name"]: "emptyDir" in v for v in pod["volumes"] if v["name"] in tmp} == {
            "tmp": True
        }


def _selects(selector: dict[str, str], deployment: Manifest) -> bool:
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    return all(labels.get(k) == v for k, v in selector.items())


def test_every_pdb_and_hpa_has_its_deployment(rendered: list[Manifest]) -> None:
    # Only Warmlink's own: the Strimzi and CloudNativePG resources (kafka/, postgres/) are not
    # checked here, and their operators make their pods' budgets themselves.
    deployments = of_kind(rendered, "Deployment")
    budgets = {n: b for n, b in of_kind(rendered, "PodDisruptionBudget").items() if n in PROCESSES}
    autoscalers = of_kind(rendered, "HorizontalPodAutoscaler")
    assert set(budgets) == set(deployments)
    assert {a["spec"]["scaleTargetRef"]["name"] for a in autoscalers.values()} == set(deployments)
    for name, budget in budgets.items():
        selector = budget["spec"]["selector"]["matchLabels"]
        assert [d for d in deployments if _selects(selector, deployments[d])] == [name]
        assert budget["spec"]["maxUnavailable"] == 1
    for name, autoscaler in autoscalers.items():
        target = autoscaler["spec"]["scaleTargetRef"]
        assert (target["kind"], target["name"]) == ("Deployment", name)
        spec = autoscaler["spec"]
        assert 1 <= spec["minReplicas"] <= spec["maxReplicas"] <= PARTITIONS
        assert deployments[name]["spec"]["replicas"] == spec["minReplicas"]


def test_every_service_selects_its_deployment(rendered: list[Manifest]) -> None:
    deployments = of_kind(rendered, "Deployment")
    services = {n: s for n, s in of_kind(rendered, "Service").items() if n in PROCESSES}
    assert set(services) == PROCESSES - NOT_HTTP
    for name, service in services.items():
        assert [
            d for d in deployments if _selects(service["spec"]["selector"], deployments[d])
        ] == [name]
        assert service["spec"]["ports"][0]["targetPort"] == "http"


def test_the_front_serves_the_addresses_the_services_are_given(rendered: list[Manifest]) -> None:
    config_maps = of_kind(rendered, "ConfigMap").items()
    (network,) = [m for n, m in config_maps if n.startswith("warmlink-network-")]
    (ingress,) = of_kind(rendered, "Ingress").values()
    routes = {
        rule["host"]: rule["http"]["paths"][0]["backend"]["service"]["name"]
        for rule in ingress["spec"]["rules"]
    }
    expected = {urlsplit(network["data"][f"{n.upper()}_URL"]).hostname: n for n in APIS}
    assert {host: f"warmlink-{name}" for host, name in expected.items()} == routes
    assert sorted(ingress["spec"]["tls"][0]["hosts"]) == sorted(routes)
    assert all(
        url.startswith("https://") for k, url in network["data"].items() if k.endswith("URL")
    )
    assert (
        urlsplit(network["data"]["JWKS_URL"]).hostname
        == urlsplit(network["data"]["DIRECTORY_URL"]).hostname
    )


def test_dockerfile_exposes_every_api_port() -> None:
    text = (Path(__file__).resolve().parents[2] / "deploy" / "Dockerfile").read_text()
    exposed = next(line for line in text.splitlines() if line.startswith("EXPOSE "))
    assert exposed.split()[1:] == ["8001", "8002", "8003", "8004", "8005"]


def test_a_stopping_pod_has_time_to_drain(deployments: dict[str, Manifest]) -> None:
    # warmlink/serve.py: uvicorn drains for up to 20 s; then the relay and consumers get 30 s.
    for name, deployment in deployments.items():
        pod = deployment["spec"]["template"]["spec"]
        (container,) = containers(deployment)
        pause = container["lifecycle"]["preStop"]["sleep"]["seconds"]
        assert pod["terminationGracePeriodSeconds"] >= pause + 20 + 30, name
