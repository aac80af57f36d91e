"""The layout in docs/architecture.md, kept by a test: dependencies run one way
(tools -> services -> runtime -> contracts), the domain does no I/O, and every service and
part has the same named places for commands, event handlers, workers and adapters."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from tests.architecture.imports import ROOT, modules, services

SERVICES = services()
LAYERS = {"domain", "service_layer", "adapters", "entrypoints", "workers"}
# Static files a service serves or validates against (dashboard assets, JSON schemas).
ASSETS = {"assets"}
SERVICE_FILES = {"__init__.py", "__main__.py", "bootstrap.py", "settings.py", "migrations"}
PART_FILES = {"__init__.py"}
SERVICE_LAYER = {"__init__.py", "commands.py", "commands", "events.py", "events"}
# A domain does no I/O: none of these, nor the runtime's database, broker or HTTP layers.
IO_LIBRARIES = ("asyncpg", "fastapi", "starlette", "aiokafka", "httpx", "uvicorn", "smtplib")
RUNTIME_IO = tuple(
    f"warmlink.{m}"
    for m in (
        "db", "pool", "kafka", "outbox", "relay", "consumer", "service", "serve", "audit",
        "idempotency", "problems", "auth", "write_batch", "deadletter", "migrations",
        "http_tracing", "ops_metrics",
    )
)  # fmt: skip
NOT_IN_DOMAIN = ("adapters", "entrypoints", "workers", "service_layer", "bootstrap")


def _listing(directory: Path) -> set[str]:
    return {p.name for p in directory.iterdir() if p.name != "__pycache__"}


def parts(service: str) -> list[Path]:
    """A service's parts: subfolders that hold layers of their own (docs/architecture.md)."""
    root = ROOT / "services" / service
    return sorted(
        p
        for p in root.iterdir()
        if p.is_dir() and p.name not in LAYERS | ASSETS | SERVICE_FILES | {"__pycache__"}
    )


def test_there_are_services_to_check() -> None:
    assert {"screening", "directory", "referral", "followup", "portal"} <= set(SERVICES)


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_imports_no_other_service_and_no_tool(service: str) -> None:
    others = tuple(f"services.{s}" for s in SERVICES if s != service)
    wrong = {
        m.name: m.imports_any(*others, "tools")
        for m in modules("services")
        if m.name.startswith(f"services.{service}.") or m.name == f"services.{service}"
    }
    assert {m: i for m, i in wrong.items() if i} == {}


def test_contracts_import_neither_the_runtime_nor_services_nor_tools() -> None:
    wrong = {m.name: m.imports_any("warmlink", "services", "tools") for m in modules("contracts")}
    assert {m: i for m, i in wrong.items() if i} == {}


def test_the_runtime_imports_no_service_and_no_tool() -> None:
    wrong = {m.name: m.imports_any("services", "tools") for m in modules("warmlink")}
    assert {m: i for m, i in wrong.items() if i} == {}


@pytest.mark.parametrize("service", SERVICES)
def test_a_domain_does_no_io(service: str) -> None:
    own_layers = tuple(
        m.name
        for m in modules("services")
        if m.name.startswith(f"services.{service}.")
        and any(part in NOT_IN_DOMAIN for part in m.name.split("."))
    )
    wrong = {
        m.name: m.imports_any(*IO_LIBRARIES, *RUNTIME_IO, *own_layers)
        for m in modules("services")
        if m.name.startswith(f"services.{service}.") and "domain" in m.name.split(".")
    }
    assert {m: i for m, i in wrong.items() if i} == {}


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_layer_speaks_no_http(service: str) -> None:
    entrypoints = tuple(
        m.name
        for m in modules("services")
        if m.name.startswith(f"services.{service}.") and "entrypoints" in m.name.split(".")
    )
    wrong = {
        m.name: m.imports_any("fastapi", "starlette", "warmlink.problems", *entrypoints)
        for m in modules("services")
        if m.name.startswith(f"services.{service}.") and "service_layer" in m.name.split(".")
    }
    assert {m: i for m, i in wrong.items() if i} == {}


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_holds_only_the_layout_s_names(service: str) -> None:
    root = ROOT / "services" / service
    allowed = SERVICE_FILES | LAYERS | ASSETS | {p.name for p in parts(service)}
    assert _listing(root) - allowed == set()
    assert {"bootstrap.py", "settings.py"} <= _listing(root)
    # A service made of parts keeps its domain in them; a service without parts has its own.
    assert parts(service) or "domain" in _listing(root)


@pytest.mark.parametrize("service", SERVICES)
def test_a_part_holds_only_layers(service: str) -> None:
    for part in parts(service):
        listing = _listing(part)
        assert listing & LAYERS, f"{part.name} holds no layer: not a part of the layout"
        assert listing - (PART_FILES | LAYERS | ASSETS) == set(), part.name


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_layer_holds_commands_and_events_only(service: str) -> None:
    root = ROOT / "services" / service
    for place in [root, *parts(service)]:
        layer = place / "service_layer"
        if layer.is_dir():
            assert _listing(layer) - SERVICE_LAYER == set(), str(layer.relative_to(ROOT))


@pytest.mark.parametrize("service", SERVICES)
def test_consumer_groups_map_events_to_on_handlers_in_the_service_layer(service: str) -> None:
    bootstrap = importlib.import_module(f"services.{service}.bootstrap")
    spec = bootstrap.spec(bootstrap.Settings())
    for subscription in spec.subscriptions:
        for event, handler in subscription.handlers.items():
            where = f"{subscription.consumer}: {event} -> {handler!r}"
            assert handler.__name__.startswith("on_"), where
            assert ".service_layer.events" in handler.__module__, where
