"""bench-loop's CPU accounting against real processes: a child that burns CPU is billed to its
role, the bench itself to its own, and a request's share is the phase's CPU over its requests."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from tools.bench import cpu

BURN = "import time\nend = time.process_time() + {s}\nwhile time.process_time() < end: pass\n"


def _burn(seconds: float, marker: str) -> subprocess.Popen[bytes]:
    # The marker rides in the command line, where the roles are read from.
    return subprocess.Popen([sys.executable, "-c", BURN.format(s=seconds), marker])


@pytest.mark.parametrize(
    ("cmdline", "role"),
    [
        (
            "python -m services.referral.subscriptions.entrypoints.delivery_process",
            "webhook delivery",
        ),
        ("python -m services.referral", "referral service"),
        ("python -m services.portal", "portal"),
        ("postgres: warmlink referral 127.0.0.1(5000) idle", "PostgreSQL"),
        ("/opt/bin/tansu broker --listener-url tcp://127.0.0.1:1", "broker"),
        ("python -m tools.bench.insert_floor 8000 postgresql://x", "floor server"),
        ("sleep 1", "other"),
    ],
)
def test_a_process_is_billed_to_the_role_its_command_line_names(cmdline: str, role: str) -> None:
    assert cpu.role_of(cmdline) == role


def test_a_child_that_burns_cpu_is_billed_to_its_role_between_two_readings() -> None:
    before = cpu.read()
    child = _burn(30, "services.directory")  # killed once it has used enough
    try:
        while cpu.read().cpu_s.get(child.pid, ("", 0.0))[1] < 0.3:
            assert child.poll() is None
            time.sleep(0.05)
        after = cpu.read()
    finally:
        child.kill()
        child.wait()
    by_role = cpu.spent(before, after)
    assert by_role.get("directory service", 0.0) >= 0.3, by_role
    assert cpu.BENCH in {role for role, _ in after.cpu_s.values()}


def test_a_process_outside_the_run_is_not_billed() -> None:
    outsider = _burn(30, "services.followup")
    run = subprocess.Popen(["sleep", "30"])  # a run's root that did not start the outsider
    try:
        reading = cpu.read(root=run.pid)
        assert run.pid in reading.cpu_s
        assert outsider.pid not in reading.cpu_s
        assert outsider.pid in cpu.read().cpu_s  # while it is found from this process
    finally:
        for process in (run, outsider):
            process.kill()
            process.wait()


def test_a_share_per_request_is_the_phase_cpu_over_its_requests() -> None:
    before = cpu.Reading({1: ("PostgreSQL", 1.0), 2: ("broker", 0.5)}, at=10.0)
    after = cpu.Reading(
        {1: ("PostgreSQL", 1.6), 2: ("broker", 0.5), 3: ("referral service", 0.9)}, at=11.0
    )
    phase = cpu.phase(before, after, requests=300, load_generator_s=0.3)
    assert phase.ms_per_request == {
        "PostgreSQL": 2.0,
        "referral service": 3.0,
        "load generator": 1.0,
        "total": 6.0,
    }
    assert phase.cores_busy == 1.8


def test_a_reused_pid_counts_whole_for_its_new_role() -> None:
    before = cpu.Reading({7: ("broker", 5.0)}, at=0.0)
    after = cpu.Reading({7: ("PostgreSQL", 0.2)}, at=1.0)
    assert cpu.spent(before, after) == {"PostgreSQL": 0.2}


def test_the_table_lists_every_role_and_the_total_for_each_phase(
    capsys: pytest.CaptureFixture[str],
) -> None:
    cpu.print_table(
        {
            "floor": cpu.Phase({"floor server": 0.3, "total": 0.3}, 1.7),
            "subscribed": cpu.Phase({"webhook delivery": 0.8, "total": 0.8}, 1.5),
        }
    )
    lines = capsys.readouterr().out.splitlines()
    rows = {line.split()[0]: line.split()[-2:] for line in lines[2:]}
    assert rows["webhook"] == ["0.000", "0.800"]
    assert rows["floor"] == ["0.300", "0.000"]
    assert rows["total"] == ["0.300", "0.800"]
    assert rows["cores"] == ["1.70", "1.50"]
