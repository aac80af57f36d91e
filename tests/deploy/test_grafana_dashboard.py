"""deploy/grafana/warmlink-operations.json, offline: a dashboard Grafana can import, every panel
querying the Prometheus data source it asks for. That every metric it names is one the services
export is checked against running services in tests/integration/test_otlp_export.py."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

DASHBOARD = Path(__file__).resolve().parents[2] / "deploy" / "grafana" / "warmlink-operations.json"
# A metric name in PromQL: ours all start with warmlink_ (label names and functions do not).
METRIC = re.compile(r"\bwarmlink_[a-z0-9_]+\b")
# What the issue asks the dashboard to show, each by a metric that carries it.
REQUIRED = {
    "outbox lag": "warmlink_outbox_oldest_unpublished_age_seconds",
    "consumer lag": "warmlink_consumer_lag",
    "dead letters": "warmlink_consumer_records_total",
    "webhook failures": "warmlink_webhook_notifications_failed",
    "SLA breaches": "warmlink_followup_sla_breaches_today",
    "capacity freshness": "warmlink_directory_capacity_age_seconds",
}


def dashboard() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(DASHBOARD.read_text())
    return loaded


def queries(board: dict[str, Any]) -> list[str]:
    return [t["expr"] for p in board["panels"] for t in p["targets"]]


def metric_names(board: dict[str, Any]) -> set[str]:
    return {name for expr in queries(board) for name in METRIC.findall(expr)}


def test_every_panel_queries_the_dashboards_prometheus_data_source() -> None:
    board = dashboard()
    variables = {v["name"]: v for v in board["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    assert variables["datasource"]["query"] == "prometheus"
    assert board["uid"] and board["title"] and isinstance(board["schemaVersion"], int)
    ids = [p["id"] for p in board["panels"]]
    assert len(ids) == len(set(ids)), "panel ids are unique"
    for p in board["panels"]:
        assert p["datasource"] == {"type": "prometheus", "uid": "${datasource}"}, p["title"]
        assert p["targets"], p["title"]
        refs = [t["refId"] for t in p["targets"]]
        assert len(refs) == len(set(refs)), p["title"]
        for t in p["targets"]:
            assert METRIC.search(t["expr"]), (p["title"], t["expr"])
            assert t["expr"].count("(") == t["expr"].count(")"), t["expr"]


def test_panels_do_not_overlap() -> None:
    taken: set[tuple[int, int]] = set()
    for p in dashboard()["panels"]:
        g = p["gridPos"]
        assert 0 <= g["x"] and g["x"] + g["w"] <= 24, p["title"]
        cells = {
            (x, y) for x in range(g["x"], g["x"] + g["w"]) for y in range(g["y"], g["y"] + g["h"])
        }
        assert not cells & taken, f"{p['title']} overlaps another panel"
        taken |= cells


@pytest.mark.parametrize("what", sorted(REQUIRED))
def test_the_dashboard_shows(what: str) -> None:
    assert REQUIRED[what] in metric_names(dashboard())
