"""Every service fuzzed against its committed OpenAPI document, as every role and with no token.

The whole network runs (the demo region seeded, the portal with its client), and schemathesis
sends each operation of `contracts/openapi/<service>.json` generated requests, valid and not,
from a fixed seed (the same requests every run): 15 per operation with a token of each role
(`clinic` of a site, `practice` of a practice, `admin` of the network), 2 with none (refused
before anything is read). No answer may be a 5xx, every status and content type must be one the
document lists (so every error is problem+json) and every body must match its schema.
tests/support/fuzz.py says how; docs/api.md says how to read a failure.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import Network, whole_network
from tests.support.fuzz import fuzz_service
from tests.support.infra import Infrastructure
from tools.dev import openapi as documents
from warmlink.auth import Role

NETWORK_ORG, SITE, PRACTICE = "network-admin", "riverside-ob", "bloom-therapy"
EXAMPLES_WITH_TOKEN = 15
EXAMPLES_WITHOUT = 2  # the guard answers 401 before the request is read: little to vary
SEED = 17


@pytest.fixture(scope="module")
def net(infra: Infrastructure) -> Iterator[Network]:
    with whole_network(infra) as running:
        yield running


@pytest.mark.timeout(600)
@pytest.mark.parametrize("service", documents.SERVICES)
def test_every_answer_is_one_the_document_promises(net: Network, service: str) -> None:
    callers = {
        "clinic": net.token(SITE, Role.CLINIC),
        "practice": net.token(PRACTICE, Role.PRACTICE),
        "admin": net.token(NETWORK_ORG, Role.ADMIN),
        "no token": None,
    }
    examples = {name: EXAMPLES_WITH_TOKEN for name in callers} | {"no token": EXAMPLES_WITHOUT}
    started = time.monotonic()
    document = documents.FOLDER / f"{service}.json"
    run = fuzz_service(document, net.url(service), callers, examples, seed=SEED)
    print(f"fuzzed {service}: {run.sent} requests in {time.monotonic() - started:.1f} s")
    assert run.findings == [], "\n".join(str(f) for f in run.findings)
    assert run.operations == _operations(document), "every operation was sent requests"


def test_the_fuzzer_reports_what_the_document_does_not_promise(
    net: Network, tmp_path: Path
) -> None:
    """The check can fail: a document that leaves out 401 is caught on the first request."""
    doc = json.loads((documents.FOLDER / "screening.json").read_text(encoding="utf-8"))
    for operation in doc["paths"]["/v1/screenings/{screening_id}"].values():
        del operation["responses"]["401"]
    lying = tmp_path / "screening.json"
    lying.write_text(json.dumps(doc), encoding="utf-8")
    url = net.url("screening")
    run = fuzz_service(lying, url, {"no token": None}, {"no token": 1}, seed=SEED)
    assert [(f.operation, f.status, f.failure) for f in run.findings] == [
        ("GET /v1/screenings/{screening_id}", 401, "Undocumented status code")
    ]


def _operations(document: Path) -> set[str]:
    doc = json.loads(document.read_text(encoding="utf-8"))
    return {f"{method.upper()} {path}" for path, ops in doc["paths"].items() for method in ops}
