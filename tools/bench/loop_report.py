"""What bench-loop prints: CPU per request by process, the table beside the floor (with
ratios) and the JSON line."""

from __future__ import annotations

from dataclasses import dataclass

from tools.bench import cpu
from tools.bench.loadgen import LoadResult
from tools.bench.loop_stack import REPLICAS
from tools.bench.report import percentile, print_report, times, vs_floor


@dataclass(frozen=True)
class Throughputs:
    floor: LoadResult  # one INSERT
    bare: LoadResult  # submissions before the referring site subscribed
    submits: LoadResult  # submissions with its webhook subscriber (the reported figure)


def report(
    rate: int,
    prop: dict[str, list[float]],
    missing: int,
    runs: Throughputs,
    phases: dict[str, cpu.Phase],
) -> None:
    """`missing`: submissions whose notification never arrived."""
    floor, bare, submits = runs.floor, runs.bare, runs.submits
    ack = prop["acknowledged"]
    errors = len(prop["errors"]) + submits.errors + bare.errors + floor.errors
    lost = len(prop["lost"]) + missing
    cpu.print_table(phases)
    share, bare_share = (vs_floor(r.per_second, floor.per_second) for r in (submits, bare))
    print_report(
        f"bench-loop (propagation at {rate}/s)",
        [
            ("propagation p50 (ms), acknowledge", f"{percentile(ack, 50):.1f}", "", "", "<= 25"),
            ("propagation p99 (ms), acknowledge", f"{percentile(ack, 99):.1f}", "", "", "<= 100"),
            (
                "propagation p99 (ms), schedule",
                f"{percentile(prop['scheduled'], 99):.1f}",
                "",
                "",
                "",
            ),
            (
                "propagation p99 (ms), attend",
                f"{percentile(prop['attended'], 99):.1f}",
                "",
                "",
                "",
            ),
            (
                "submissions/s vs one-INSERT floor",
                f"{submits.per_second:,.0f}",
                f"{floor.per_second:,.0f}",
                times(share),
                ">= 50% of floor",
            ),
            (
                "  (the same, before the site subscribed)",
                f"{bare.per_second:,.0f}",
                f"{floor.per_second:,.0f}",
                times(bare_share),
                "",
            ),
            (
                "errors / lost notifications",
                f"{errors - floor.errors}/{lost}",
                str(floor.errors),
                "",
                "0",
            ),
        ],
        {
            "propagation_p50_ms": round(percentile(ack, 50), 2),
            "propagation_p99_ms": round(percentile(ack, 99), 2),
            "submit_per_s": round(submits.per_second),
            "floor_insert_per_s": round(floor.per_second),
            "submit_share_of_floor": round(submits.per_second / floor.per_second, 3),
            "submit_per_s_no_subscriber": round(bare.per_second),
            "submit_share_no_subscriber": round(bare.per_second / floor.per_second, 3),
            "submit_per_s_vs_floor": share,
            "submit_per_s_no_subscriber_vs_floor": bare_share,
            "referrals": len(ack),
            "rate_per_s": rate,
            "replicas": REPLICAS,
            "errors": errors,
            "lost_notifications": lost,
            "cpu_ms_per_request": {name: p.ms_per_request for name, p in phases.items()},
            "cores_busy": {name: p.cores_busy for name, p in phases.items()},
        },
    )
