"""The network the campaign runs: what `make run` starts (embedded PostgreSQL and broker, the mail
sink, the five services as OS processes, the demo region), on free ports in a folder of its own,
plus a webhook subscription of every referring site to the campaign's subscriber.

Each service is one process that also hosts its outbox relay, its consumers and its workers (the
referral service's webhook delivery, patient confirmations and automatic redirects, the follow-up
clock scheduler), so killing the process kills all of them.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tools.cli.dev import _admin_org, _network_client
from tools.dev.processes import free_port
from tools.dev.seed import REGION, seed_region
from tools.dev.stack import SERVICE_PORTS, DevStack
from tools.faults.receiver import Subscriber
from tools.sim.region import SETTINGS
from warmlink.auth import Role
from warmlink.tokens import issue_token

# What the campaign changes from `make run`: webhooks to a subscriber on this machine, retried
# from half a second (doubling) so a subscriber's outage of seconds ends in seconds.
CAMPAIGN_ENV = {
    "REFERRAL_WEBHOOK_ALLOW_PRIVATE": "true",
    "REFERRAL_WEBHOOK_RETRY_INITIAL_S": "0.5",
    "REFERRAL_WEBHOOK_TIMEOUT_S": "3",
}
HEARTBEAT_S = 86_400  # the campaign counts notifications; heartbeats would only add noise
READY_S = 90.0


@dataclass
class Network:
    stack: DevStack
    subscriber: Subscriber
    admin_org: str
    extra_env: dict[str, dict[str, str]] = field(default_factory=dict)  # per service
    subscriptions: dict[str, str] = field(default_factory=dict)  # id -> site
    # The one thread that applies faults, alive as long as the network: a child process asks
    # for SIGTERM when the *thread* that started it ends (PR_SET_PDEATHSIG, tools/dev/processes),
    # so a service or database restarted from a short-lived thread would die with that thread.
    hands: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(1, thread_name_prefix="faults")
    )

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.stack.ports[service]}"

    def database_url(self, service: str) -> str:
        assert self.stack.infra is not None
        return self.stack.infra.database_url_for[service]

    def token(self, org: str, role: Role) -> str:
        return issue_token(self.stack.signing_key.read_bytes(), organization_id=org, role=role)

    def start_service(self, name: str) -> None:
        self.stack.start_service(name, self.extra_env.get(name))

    def stop(self) -> None:
        self.stack.stop()
        self.subscriber.stop()
        self.hands.shutdown()


def start_network(state_dir: Path) -> Network:
    """Everything up and seeded; the caller stops it (`Network.stop`)."""
    stack = DevStack(
        state_dir,
        pg_port=free_port(),
        kafka_port=free_port(),
        mail_port=free_port(),
        ports={name: free_port() for name in SERVICE_PORTS},
    )
    subscriber = Subscriber(state_dir / "webhooks.jsonl")
    net = Network(stack, subscriber, _admin_org())
    try:
        stack.start_infra()
        stack.start_mail_sink()
        subscriber.start()
        for name, value in CAMPAIGN_ENV.items():
            service, _, setting = name.partition("_")
            net.extra_env.setdefault(service.lower(), {})[setting] = value
        first = [name for name in SERVICE_PORTS if name != "referral"]
        for name in first:
            net.start_service(name)
        for name in first:
            stack.wait_ready(name, READY_S)
        directory = net.url("directory")
        seed_region(directory, stack.signing_key, state_dir, as_verified=True)
        net.extra_env["referral"] |= _network_client(state_dir)
        net.start_service("referral")
        stack.wait_ready("referral", READY_S)
        subscribe_sites(net)
    except BaseException:
        net.stop()
        raise
    return net


def referring_sites() -> list[str]:
    """The demo region's referring sites (the simulator's patients arrive at these)."""
    orgs = json.loads(REGION.read_text())["organizations"]
    return sorted(o["id"] for o in orgs if o["kind"] in SETTINGS)


def subscribe_sites(net: Network) -> None:
    """One webhook subscription per referring site, each to its own path of the subscriber."""
    for site in referring_sites():
        answer = httpx.post(
            net.url("referral") + "/v1/subscriptions",
            headers={"Authorization": f"Bearer {net.token(site, Role.CLINIC)}"},
            json={"url": net.subscriber.url(f"/{site}"), "heartbeat_s": HEARTBEAT_S},
            timeout=30,
        )
        answer.raise_for_status()
        net.subscriptions[answer.json()["id"]] = site
