"""What the campaign checks once the network has settled, from the services' databases, the
client's ledger and the subscriber's log. Each check gives the number of records that break it
(0 passes) and, when it fails, a few ids -- never patient data.

"Delivered once" means: every notification the referral service numbered for a subscription was
answered 2xx by the subscriber at least once under its webhook-id, the subscriber applied each
webhook-id once (a webhook-id arriving again after a timeout is a duplicate at the wire, counted
apart, not an effect), and no change or alert was numbered twice under two webhook-ids.
"""

from __future__ import annotations

import functools
import importlib
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

import asyncpg

from contracts.lifecycle import ReferralStatus
from services.referral.domain.errors import IllegalTransition
from services.referral.domain.lifecycle import Action, next_status
from tools.faults.client import Ledger
from tools.faults.network import Network
from tools.faults.receiver import read_log

# The simulator's keys: sim-<run>-screen-<n> and sim-<run>-referral-<n> (tools/sim/world.py).
KEYED = """
SELECT key, status_code, response ->> 'id' AS id FROM idempotency_keys
WHERE key LIKE 'sim-%-' || $1 || '-%'"""
SCREENINGS = "SELECT id::text AS id, patient_ref AS one_of FROM screenings"
REFERRALS = "SELECT id::text AS id, screening_id::text AS one_of FROM referrals"
TIMELINES = """
SELECT r.id::text AS referral_id, r.status AS now, t.action, t.status
FROM referrals r JOIN referral_timeline t ON t.referral_id = r.id ORDER BY r.id, t.id"""
OPEN_AT_PRACTICE = """
SELECT id::text AS referral_id, practice_id FROM referrals
WHERE status IN ('submitted', 'acknowledged')"""
STAYS = "SELECT referral_id::text AS referral_id, practice_id FROM referral_timeline ORDER BY id"
HELD = (
    "SELECT referral_id::text AS referral_id, practice_id FROM capacity_holds WHERE state = 'held'"
)
SUBSCRIPTIONS = "SELECT id::text AS id, last_event_number FROM subscriptions"
NOTIFICATIONS = """
SELECT id::text AS id, subscription_id::text AS subscription_id, event_number, status,
    coalesce(payload ->> 'alert_id', concat_ws(' ', payload ->> 'referral_id',
        payload ->> 'status', payload ->> 'event_type', payload ->> 'occurred_at')) AS effect
FROM subscription_notifications WHERE type <> 'subscription.heartbeat'"""
PUBLISHED = """
SELECT event_id::text AS event_id, event_type FROM outbox WHERE published_at IS NOT NULL"""
APPLIED = "SELECT event_id::text AS event_id FROM inbox WHERE consumer = $1"
DEAD_LETTERS = """
SELECT consumer, reason, left(error, 120) AS error, count(*) AS letters FROM dead_letters
GROUP BY consumer, reason, left(error, 120)"""

TRANSITIONS = frozenset(Action)
SAMPLE = 3  # ids shown per failed check


@dataclass(frozen=True)
class Check:
    name: str
    failures: int
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.failures == 0


@dataclass(frozen=True)
class Figures:
    referrals_submitted: int  # keys the client got a 2xx for
    screens_recorded: int
    lost: int
    duplicated: int
    wire_duplicates: int  # webhook-ids the subscriber received again (one effect each)
    notifications: int
    client_retries: int
    dead_letters: int


async def _fetch(net: Network, service: str, sql: str, *args: Any) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(net.database_url(service))
    try:
        return list(await conn.fetch(sql, *args))
    finally:
        await conn.close()


def _sample(items: Any) -> str:
    shown = sorted(map(str, items))[:SAMPLE]
    return ", ".join(shown)


async def keyed_records(
    net: Network, ledger: Ledger, service: str, what: str, table_sql: str
) -> tuple[list[Check], int]:
    """One record per Idempotency-Key: each key answered 2xx (to the client, or stored) names a
    record that exists; no record is named by none; no two records for one screen (the same
    patient's screen, the same screen's referral)."""
    stored = {
        r["key"]: r["id"]
        for r in await _fetch(net, service, KEYED, what)
        if r["status_code"] is not None and 200 <= r["status_code"] < 300
    }
    rows = await _fetch(net, service, table_sql)
    ids = {r["id"] for r in rows}
    answered = {k: v for k, v in ledger.keys_answered("sim-").items() if f"-{what}-" in k}
    named = set(stored.values()) | {v for v in answered.values() if v}
    lost = sorted(k for k, v in (stored | answered).items() if v not in ids)
    unkeyed = ids - named
    twice = [k for k, n in Counter(r["one_of"] for r in rows if r["one_of"]).items() if n > 1]
    gave_up = [k for k, (status, _) in ledger.answers.items() if f"-{what}-" in k and not status]
    checks = [
        Check(f"{what}s: every key answered 2xx has its record (lost)", len(lost), _sample(lost)),
        Check(f"{what}s: no record without a key (duplicated)", len(unkeyed), _sample(unkeyed)),
        Check(f"{what}s: at most one per screen (duplicated)", len(twice), _sample(twice)),
        Check(f"{what}s: every key answered (client gave up)", len(gave_up), _sample(gave_up)),
    ]
    return checks, len(answered)


def illegal_step(previous: ReferralStatus | None, action: str, status: str) -> bool:
    """Whether a timeline row cannot follow the state before it (contracts/lifecycle.py states,
    the transitions of services/referral/domain/lifecycle.py). Rows that note something (a
    contact, an access, a message) keep the state as it was."""
    if previous is None:
        return (action, status) != ("submit", ReferralStatus.SUBMITTED)
    if action not in TRANSITIONS:
        return status != previous
    try:  # a redirect is allowed from submitted or scheduled under a condition; allow both
        expected = next_status(
            previous, Action(action), ack_overdue=True, appointment_too_late=True
        )
    except IllegalTransition:
        return True
    return status != expected


async def timelines(net: Network) -> Check:
    broken: set[str] = set()
    last: dict[str, tuple[ReferralStatus, str]] = {}
    for row in await _fetch(net, "referral", TIMELINES):
        rid = row["referral_id"]
        previous = last.get(rid, (None, ""))[0]
        if illegal_step(previous, row["action"], row["status"]):
            broken.add(rid)
        last[rid] = (ReferralStatus(row["status"]), row["now"])
    broken |= {rid for rid, (status, now) in last.items() if status != now}
    return Check("timelines: each a legal path ending in the referral's status", len(broken),
                 _sample(broken))  # fmt: skip


def returned_to(stays: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """(referral, practice) pairs where a referral came back to a practice it had left: the
    directory keeps one hold per referral and practice, and a released or consumed one stays so
    (services/directory/domain/holds.py), so no slot is held there again."""
    path: dict[str, list[str]] = defaultdict(list)
    for referral, practice in stays:
        if not path[referral] or path[referral][-1] != practice:
            path[referral].append(practice)
    return {(r, p) for r, practices in path.items() for p, n in Counter(practices).items() if n > 1}


async def holds(net: Network) -> Check:
    """The directory holds a slot for exactly the referrals open and not yet scheduled there,
    except where a referral came back to a practice it had left (counted, shown apart)."""
    open_ = {
        (r["referral_id"], r["practice_id"])
        for r in await _fetch(net, "referral", OPEN_AT_PRACTICE)
    }
    held = {(r["referral_id"], r["practice_id"]) for r in await _fetch(net, "directory", HELD)}
    stays = [(r["referral_id"], r["practice_id"]) for r in await _fetch(net, "referral", STAYS)]
    back = (open_ - held) & returned_to(stays)
    differ = (open_ - back) ^ held
    detail = f"{len(held)} held; {len(back)} open again at a practice left before, unheld by design"
    if differ:
        detail = (
            f"{len(open_ - held - back)} open without a hold, {len(held - open_)} held not open: "
            + _sample(r for r, _ in differ)
            + "; "
            + detail
        )
    return Check("directory holds equal open referrals", len(differ), detail)  # fmt: skip


async def notifications(net: Network) -> tuple[list[Check], int, int]:
    last = {r["id"]: r["last_event_number"] for r in await _fetch(net, "referral", SUBSCRIPTIONS)}
    rows = [r for r in await _fetch(net, "referral", NOTIFICATIONS) if r["subscription_id"] in last]
    numbers: dict[str, list[int]] = defaultdict(list)
    for r in rows:
        numbers[r["subscription_id"]].append(r["event_number"])
    gaps = [s for s, n in numbers.items() if sorted(n) != list(range(min(n), last[s] + 1))]
    gaps += [s for s, n in numbers.items() if min(n) > 1]
    log = read_log(net.subscriber.log_path)
    accepted = Counter(e["webhook_id"] for e in log if 200 <= e["answered"] < 300)
    ids = {r["id"] for r in rows}
    undelivered = [r["id"] for r in rows if r["status"] != "delivered"]
    unreceived = [r["id"] for r in rows if r["id"] not in accepted]
    phantom = [w for w in accepted if w not in ids]
    effects = Counter((r["subscription_id"], r["effect"]) for r in rows)
    twice = [e for e, n in effects.items() if n > 1]
    by_subscriber: dict[str, set[int]] = defaultdict(set)
    for e in log:
        if 200 <= e["answered"] < 300 and e["subscription_id"]:
            by_subscriber[e["subscription_id"]].add(e["event_number"])
    seen_gaps = [
        s for s, n in by_subscriber.items() if s in last and n != set(range(min(n), last[s] + 1))
    ]
    wire = sum(n - 1 for n in accepted.values())
    checks = [
        Check("notifications: numbers without gaps", len(gaps), _sample(gaps)),
        Check("notifications: all delivered, none given up", len(undelivered),
              _sample(undelivered)),
        Check("notifications: each webhook-id received by the subscriber (lost)", len(unreceived),
              _sample(unreceived)),
        Check("notifications: subscriber saw each subscription's numbers without gaps",
              len(seen_gaps), _sample(seen_gaps)),
        Check("notifications: nothing received that was never sent", len(phantom),
              _sample(phantom)),
        Check("notifications: each change or alert once (duplicated)", len(twice),
              _sample(s for s, _ in twice)),
    ]  # fmt: skip
    return checks, len(rows), wire


@functools.cache
def consumer_groups(service: str) -> dict[str, frozenset[str]]:
    """The service's consumer groups and the event types each handles, as it declares them."""
    bootstrap = importlib.import_module(f"services.{service}.bootstrap")
    spec = bootstrap.spec(bootstrap.Settings())
    return {s.consumer: frozenset(s.handlers) for s in spec.subscriptions}


async def events_applied(net: Network) -> Check:
    """Every event any outbox published was applied (or dead-lettered, which another check
    fails) by every consumer group that handles its type: nothing lost between the services."""
    # Each outbox read once (the settling wait asks this twice a second), then matched per group.
    published = [r for producer in net.stack.ports for r in await _fetch(net, producer, PUBLISHED)]
    missing: list[str] = []
    for service in net.stack.ports:
        for consumer, types in consumer_groups(service).items():
            applied = {r["event_id"] for r in await _fetch(net, service, APPLIED, consumer)}
            missing += [
                f"{consumer} {r['event_type']} {r['event_id']}"
                for r in published
                if r["event_type"] in types and r["event_id"] not in applied
            ]
    return Check("events: each applied by every consumer group that handles it (lost)",
                 len(missing), _sample(missing))  # fmt: skip


async def dead_letters(net: Network) -> tuple[Check, int]:
    """A fault is transient: nothing it causes may end as a dead letter. Each is shown."""
    found: list[str] = []
    total = 0
    for service in net.stack.ports:
        for r in await _fetch(net, service, DEAD_LETTERS):
            total += r["letters"]
            found.append(f"{service}/{r['consumer']} {r['reason']} x{r['letters']}: {r['error']}")
    return Check("no dead letters", total, "; ".join(found)), total
