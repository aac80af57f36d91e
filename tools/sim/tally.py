"""What a run did, counted only when the API said it happened, and its end-of-run summary."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from rich.table import Table


@dataclass
class Tally:
    screens: int = 0
    positives: int = 0
    urgent: int = 0
    assessed: Counter[str] = field(default_factory=Counter)  # safety assessments, by outcome
    closed: Counter[str] = field(default_factory=Counter)  # screens closed, by reason
    no_match: int = 0
    referrals: Counter[str] = field(default_factory=Counter)  # by method
    acknowledged: int = 0
    declined: Counter[str] = field(default_factory=Counter)  # by reason
    contact_attempts: int = 0
    scheduled: int = 0
    summaries: int = 0  # IOP/PHP discharge summaries sent as documents
    confirmed: int = 0  # IOP/PHP appointments the outpatient provider confirmed to the site
    far_off: int = 0  # of those scheduled: weeks out, later than the network allows
    attended: int = 0
    missed: int = 0
    capacity_updates: int = 0
    errors: Counter[tuple[str, str]] = field(default_factory=Counter)  # (what, status)
    # The network's invariant at the end (GET /v1/invariant): None when it could not be checked.
    invariant: int | None = None

    def headline(self) -> str:
        """One line for the progress bar."""
        return (
            f"screens {self.screens} (+{self.positives}) │ referred {self.referrals.total()} │ "
            f"ack {self.acknowledged} │ sched {self.scheduled} │ "
            f"att {self.attended} │ miss {self.missed} │ err {self.errors.total()}"
        )

    def summary(self) -> Table:
        table = Table(title="warmlink simulate: what the APIs accepted", show_header=False)
        table.add_column(style="bold")
        table.add_column()
        share = f" ({self.positives / self.screens:.0%})" if self.screens else ""
        rows = [
            ("screens", str(self.screens)),
            ("positive", f"{self.positives}{share}, {self.urgent} urgent"),
            ("safety assessments", _by(self.assessed)),
            ("screens closed", _by(self.closed)),
            ("no practice matched", str(self.no_match)),
            ("referrals", _by(self.referrals)),
            ("acknowledged", str(self.acknowledged)),
            ("declined", _by(self.declined)),
            ("contact attempts", str(self.contact_attempts)),
            ("scheduled", f"{self.scheduled}, {self.far_off} weeks out"),
            ("IOP discharge summaries", f"{self.summaries} sent, {self.confirmed} confirmed"),
            ("attended", str(self.attended)),
            ("missed (no-show)", str(self.missed)),
            ("capacity updates", str(self.capacity_updates)),
        ]
        for name, value in rows:
            table.add_row(name, value)
        errors = "\n".join(f"{what} {status}: {n}" for (what, status), n in self.errors.items())
        table.add_row("errors", errors or "none")
        table.add_row("invariant", self.closing_note())
        return table

    def closing_note(self) -> str:
        """The invariant's verdict, quoted at the end of the run."""
        if self.invariant is None:
            return "not checked (the follow-up service did not answer)"
        if self.invariant == 0:
            return "0 violations: every positive screen and open referral is watched or settled"
        noun = "violation" if self.invariant == 1 else "violations"
        return f"{self.invariant} {noun}: `warmlink invariant` lists them"


def _by(counts: Counter[str]) -> str:
    detail = ", ".join(f"{k} {n}" for k, n in sorted(counts.items()))
    return f"{counts.total()}" + (f" ({detail})" if detail else "")
