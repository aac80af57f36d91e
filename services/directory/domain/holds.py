"""Capacity holds: intake slots follow referral events exactly once.

Each referral to a practice has at most one hold on that service's capacity, moved by a tiny
state machine. Events arrive at least once and sometimes out of order, so every transition is
idempotent: an event that does not fit the current state changes nothing (``changed=False``,
delta 0) and a consumer can apply whatever it receives without double counting.

======================  ==========================  ====================================
current                 event                       result
======================  ==========================  ====================================
no hold                 submitted                   HELD, -1 (0 and ``overbooked`` if no slot)
no hold                 scheduled                   CONSUMED, -1 (0 and ``overbooked`` if none)
no hold                 declined / cancelled        RELEASED, 0 (remembered: see below)
HELD                    declined / cancelled        RELEASED, +1 only if the hold took a slot
HELD                    scheduled                   CONSUMED, 0 (the hold already took it)
anything else           anything                    no change
======================  ==========================  ====================================

Why ``took_slot``: the slot count can never go negative, so a referral submitted when no slot is
open is still recorded as HELD (the practice may squeeze her in) but takes nothing. Releasing that
hold must then give nothing back, or the count would drift upwards; the hold remembers whether it
took a slot. "Scheduled with no hold" covers events out of order and redirected referrals; so does
"declined or cancelled with no hold": a relay that re-sends a batch after a partial failure can
put a referral's decline ahead of the submission or redirect it answers, and the released hold
it leaves makes that late event change nothing instead of holding a slot for good.
RELEASED and CONSUMED are terminal: a declined referral is re-routed as a new referral, and an
appointment cancelled after scheduling does not reopen the intake slot (the practice updates its
capacity itself when it has really freed time). A release never pushes available above the
service's maximum (see :func:`clamp`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

HoldEvent = Literal["submitted", "declined", "cancelled", "scheduled"]


class HoldState(StrEnum):
    HELD = "held"
    RELEASED = "released"
    CONSUMED = "consumed"


@dataclass(frozen=True)
class Hold:
    """One referral's hold on a service's intake capacity."""

    state: HoldState
    took_slot: bool  # False when the referral was recorded while no slot was open


@dataclass(frozen=True)
class HoldChange:
    """What applying one event does: the new hold state and the change to ``available``."""

    new_state: HoldState | None
    available_delta: int
    changed: bool
    took_slot: bool = False
    overbooked: bool = False  # the hold was recorded with no open slot to take

    @property
    def hold(self) -> Hold | None:
        """The hold to store after this change (None when there still is no hold)."""
        return None if self.new_state is None else Hold(self.new_state, self.took_slot)


def clamp(available: int, maximum: int) -> int:
    """Keep a slot count within ``0..maximum`` (a maximum below 0 is read as 0)."""
    return max(0, min(available, max(0, maximum)))


def apply(
    capacity_available: int,
    current: Hold | None,
    event: HoldEvent,
    maximum: int | None = None,
) -> HoldChange:
    """Apply one referral event to its hold; see the module table. ``maximum`` caps releases."""
    available = max(0, capacity_available)
    if current is None:
        if event in ("submitted", "scheduled"):
            state = HoldState.HELD if event == "submitted" else HoldState.CONSUMED
            take = available > 0
            return HoldChange(state, -1 if take else 0, True, took_slot=take, overbooked=not take)
        return HoldChange(HoldState.RELEASED, 0, True, took_slot=False)
    if current.state is HoldState.HELD:
        if event in ("declined", "cancelled"):
            delta = 1 if current.took_slot else 0
            if maximum is not None:
                # Never give back a slot that would push the count past the maximum.
                delta = max(0, min(delta, max(0, maximum) - available))
            return HoldChange(HoldState.RELEASED, delta, True, took_slot=False)
        if event == "scheduled":
            return HoldChange(HoldState.CONSUMED, 0, True, took_slot=current.took_slot)
    return _unchanged(current)


def _unchanged(current: Hold | None) -> HoldChange:
    if current is None:
        return HoldChange(None, 0, False)
    return HoldChange(current.state, 0, False, took_slot=current.took_slot)
