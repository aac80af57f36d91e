"""Validating custom resources offline against the CRDs the project keeps (deploy/k8s/crds).

The API server checks a custom resource against its CRD's openAPIV3Schema; this does the same
with jsonschema, reading the Kubernetes extensions as the server does: `x-kubernetes-int-or-
string` takes an integer or a string, `x-kubernetes-preserve-unknown-fields` keeps any field,
`nullable` admits null. Anywhere else an unknown field is an error, as with kubectl's strict
field validation (the server would otherwise drop it silently: a typo would configure nothing).
CEL rules (`x-kubernetes-validations`) are not evaluated.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from tools.deploy.manifests import ROOT

CRDS_DIR = ROOT / "deploy" / "k8s" / "crds"
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf")
# The CRDs are 1.6 MB of YAML: libyaml reads them in about a second, pure Python in ten or more.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def as_json_schema(node: Mapping[str, Any]) -> dict[str, Any]:
    """One openAPIV3Schema node as a JSON Schema node (recursively)."""
    out: dict[str, Any] = {k: v for k, v in node.items() if not k.startswith("x-kubernetes-")}
    if node.get("x-kubernetes-int-or-string"):
        out.pop("type", None)
        out.setdefault("anyOf", [{"type": "integer"}, {"type": "string"}])
    if "properties" in node:
        out["properties"] = {k: as_json_schema(v) for k, v in node["properties"].items()}
        if "additionalProperties" not in node and not node.get(
            "x-kubernetes-preserve-unknown-fields"
        ):
            out["additionalProperties"] = False
    if isinstance(node.get("additionalProperties"), Mapping):
        out["additionalProperties"] = as_json_schema(node["additionalProperties"])
    if isinstance(node.get("items"), Mapping):
        out["items"] = as_json_schema(node["items"])
    for key in _SCHEMA_LISTS:
        if key in node:
            out[key] = [as_json_schema(n) for n in node[key]]
    if "not" in node:
        out["not"] = as_json_schema(node["not"])
    if node.get("nullable"):
        out.pop("nullable")
        out = {"anyOf": [out, {"type": "null"}]}
    return out


@functools.cache
def schemas(crds_dir: Path = CRDS_DIR) -> dict[tuple[str, str], dict[str, Any]]:
    """(apiVersion, kind) -> JSON Schema, for every version the vendored CRDs serve."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for path in sorted(crds_dir.glob("*/*.yaml")):
        for crd in yaml.load_all(path.read_text(encoding="utf-8"), Loader=_LOADER):
            if not crd or crd.get("kind") != "CustomResourceDefinition":
                continue
            spec = crd["spec"]
            for version in spec["versions"]:
                if version.get("served"):
                    key = (f"{spec['group']}/{version['name']}", spec["names"]["kind"])
                    found[key] = as_json_schema(version["schema"]["openAPIV3Schema"])
    return found


def violations(resource: Mapping[str, Any]) -> list[str]:
    """What in `resource` its CRD refuses ([] when it validates); a kind without a vendored CRD
    is itself a violation."""
    name = f"{resource.get('kind')} {resource.get('metadata', {}).get('name')}"
    schema = schemas().get((resource.get("apiVersion", ""), resource.get("kind", "")))
    if schema is None:
        return [f"{name}: no vendored CRD serves {resource.get('apiVersion')}"]
    validator = jsonschema.Draft7Validator(schema)
    return [
        f"{name}: {'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
        for e in validator.iter_errors(resource)
    ]
