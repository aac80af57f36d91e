"""The portal started beside the services it calls, for the portal's browser tests: one way to
start it, and one tablet-sized page (the `browser` fixture is in conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from tests.e2e.conftest import Network, start_network
from tests.support.browser import require_chromium
from tests.support.infra import Infrastructure
from tools.dev.people import create_portal_client
from tools.dev.processes import free_port
from tools.dev.seed import seed_region

NETWORK_ORG = "network-admin"
TABLET = {"width": 768, "height": 1024}


@contextmanager
def started_portal(
    infra: Infrastructure,
    services: list[str],
    env: Mapping[str, str] | None = None,
    portal_env: Mapping[str, str] | None = None,
    mail_sink: bool = False,
) -> Iterator[tuple[Network, str]]:
    """`services` with the demo region seeded, the portal's client made, then the portal (with
    `warmlink dev`'s mail sink in front of it when `mail_sink`): the network and its URL."""
    require_chromium()
    stack = start_network(infra, services, dict(env or {}))
    net = Network(stack)
    try:
        directory = net.url("directory")
        seed_region(directory, stack.signing_key)  # sites and practices to match and refer to
        create_portal_client(directory, stack.signing_key, stack.state_dir, NETWORK_ORG)
        assert stack.infra is not None
        stack.infra.database_url_for["portal"] = infra.create_database("portal")
        stack.ports = dict(stack.ports) | {"portal": free_port()}
        if mail_sink:
            stack.mail_port = free_port()
            stack.start_mail_sink()  # as `warmlink dev` does: the portal is pointed at it
        stack.start_service("portal", portal_env)
        stack.wait_ready("portal")
        yield net, net.url("portal")
    finally:
        stack.stop()


def new_page(browser: Any) -> Any:
    return browser.new_context(viewport=TABLET).new_page()
