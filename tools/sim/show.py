"""The terminal side of a run: a progress bar (or a line every half minute when nobody
watches, e.g. under `warmlink dev`) and the summary at the end."""

from __future__ import annotations

import asyncio
import time

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from tools.sim.region import RegionUnavailable
from tools.sim.runner import Options, simulate
from tools.sim.tally import Tally

LOG_EVERY_S = 30.0


def run_simulate(options: Options, console: Console | None = None) -> int:
    console = console or Console(highlight=False, soft_wrap=True)
    console.print(
        f"simulating: {options.rate:g} screens/min, {options.speed:g} simulated min/s, "
        f"seed {options.seed}, "
        + (f"{options.duration:g}s" if options.duration else "until Ctrl-C")
    )
    try:
        if console.is_terminal:
            tally = _with_bar(options, console)
        else:
            tally = _with_lines(options, console)
    except RegionUnavailable as exc:
        console.print(f"[red]✗ cannot simulate: {exc}[/]")
        return 1
    console.print(tally.summary())
    return 0


def _with_bar(options: Options, console: Console) -> Tally:
    columns = [
        SpinnerColumn(),
        BarColumn(bar_width=12) if options.duration else TextColumn(""),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
    ]
    with Progress(*columns, console=console, transient=False) as progress:
        bar = progress.add_task("starting", total=options.duration)
        started = time.monotonic()

        def tick(tally: Tally) -> None:
            done = time.monotonic() - started
            progress.update(bar, completed=done, description=tally.headline())

        tally = asyncio.run(simulate(options, tick))
        progress.update(bar, description=tally.headline())
    return tally


def _with_lines(options: Options, console: Console) -> Tally:
    last = [time.monotonic()]

    def tick(tally: Tally) -> None:
        if time.monotonic() - last[0] >= LOG_EVERY_S:
            last[0] = time.monotonic()
            console.print(tally.headline())

    return asyncio.run(simulate(options, tick))
