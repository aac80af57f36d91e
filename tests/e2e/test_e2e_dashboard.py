"""The administrators' dashboard in a real browser (Debian's chromium through Playwright):
charts drawn from data driven through the APIs, live polling, no request leaving localhost."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.e2e.conftest import Network
from tests.e2e.test_e2e_followup_metrics import Driven, drive_and_wait, start_measured_network
from tests.support.browser import launch, require_chromium
from tests.support.infra import Infrastructure
from warmlink.auth import Role

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="module")
def net(infra: Infrastructure) -> Iterator[Network]:
    require_chromium()
    network = start_measured_network(infra)
    try:
        yield network
    finally:
        network.stack.stop()


@pytest.fixture(scope="module")
def driven(net: Network) -> Driven:
    return asyncio.run(drive_and_wait(net, "d"))


def values(page: object, selector: str) -> list[float]:
    found = page.eval_on_selector_all(  # type: ignore[attr-defined]
        selector, "els => els.map(e => Number(e.dataset.value))"
    )
    return [float(v) for v in found]


def test_dashboard_draws_live_charts_from_local_data_only(net: Network, driven: Driven) -> None:
    from playwright.sync_api import sync_playwright

    base = net.url("followup")
    token = net.token("network-admin", Role.ADMIN)
    requested: list[str] = []
    problems: list[str] = []
    with sync_playwright() as pw:
        browser = launch(pw)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.on("request", lambda r: requested.append(r.url))
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.on(
                "response",
                lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None,
            )
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.goto(f"{base}/dashboard#token={token}")
            # Two completed updates: the first render and one poll after it.
            page.wait_for_function(
                "() => Number(document.body.dataset.updates || 0) >= 2", timeout=30_000
            )

            assert "token" not in page.url, "the token is taken out of the address bar"
            assert page.inner_text("#updated") != "never"
            assert page.inner_text("#status") == "Live"
            assert page.inner_text("#kpi-referred") == "3"
            assert page.inner_text("#kpi-completion") == "33%"  # 1 attended of 3

            capacity = values(page, "#chart-capacity-level svg .datum")
            assert len(capacity) >= 4 and sum(capacity) > 0, capacity
            areas = page.eval_on_selector_all(
                "#chart-capacity-area svg .datum", "els => els.map(e => e.dataset.category)"
            )
            assert "Telehealth" in areas
            # Time to intake: one week so far, two series, both a matter of seconds.
            intake = values(page, "#chart-intake svg circle.datum")
            assert len(intake) == 2 and all(0 <= v < 0.01 for v in intake), intake
            assert page.locator("#chart-intake svg path").count() == 2
            setting = page.eval_on_selector_all(
                "#chart-setting svg .datum",
                "els => els.map(e => [e.dataset.category, Number(e.dataset.value)])",
            )
            assert setting == [["OB office", 0.3333]]
            methods = dict(
                page.eval_on_selector_all(
                    "#chart-method svg .datum",
                    "els => els.map(e => [e.dataset.category, Number(e.dataset.value)])",
                )
            )
            assert methods == {"Coordinator": 0.0, "Digital": 1.0, "In-room call": 0.0}
            assert "no cold referrals recorded" in page.inner_text("#method-note")
            assert page.inner_text("#kpi-breaches") == "0"
            assert page.locator("#stale-list li").count() >= 1

            ARTIFACTS.mkdir(exist_ok=True)
            shot = ARTIFACTS / "dashboard.png"
            page.screenshot(path=str(shot), full_page=True)
            print(f"dashboard screenshot: {shot}")

            # Without a token (a fresh tab): a clear way to get one, and no data requests.
            anonymous = browser.new_page()
            anonymous.on("request", lambda r: requested.append(r.url))
            anonymous.goto(f"{base}/dashboard")
            anonymous.wait_for_selector("#signin:not([hidden])")
            text = anonymous.inner_text("#signin")
            assert "warmlink token --org network-admin --role admin" in text
            assert anonymous.locator("#panels").is_hidden()
        finally:
            browser.close()

    assert problems == [], problems
    assert requested, "the page made requests"
    hosts = {urlparse(u).hostname for u in requested}
    assert hosts == {"127.0.0.1"}, sorted(set(requested))
    assert any(u.endswith("/dashboard/assets/charts.js") for u in requested)
    assert shot.stat().st_size > 10_000
