"""Every positive screen is accounted for: referred, or closed with a coded reason, in time.

Pure. A screen's two clocks are armed when it arrives: at its deadline a task for the site's
coordinator, a while later one for the network's. A referral or a closure stops them; a clock that
fires anyway looks at the screen as it is then and does nothing if it was accounted for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from contracts.codes import EscalationLevel
from services.followup.clocks.domain.rules import ClockKind, ClockPolicy
from warmlink.business_time import BusinessCalendar

OPEN, REFERRED, CLOSED = "open", "referred", "closed"
# Screened before the network began tracking screens (an upgrade): accounted for, no clocks.
BEFORE_TRACKING = "before_tracking"
# The one task kind for a screen; `EscalationLevel` says whose list it is on.
UNREFERRED_SCREEN = "unreferred_screen"

WHAT_TO_DO = {
    EscalationLevel.SITE_COORDINATOR: (
        "A positive screen is neither referred nor closed past its deadline: refer her (warm "
        "handoff), or close the screen on the worklist with a coded reason. An urgent screen "
        "needs its safety assessment recorded first."
    ),
    EscalationLevel.NETWORK_COORDINATOR: (
        "The referring site has not accounted for a positive screen after its own task: reach "
        "the site's coordinator and see the patient referred or the screen closed."
    ),
}
LEVEL_OF = {
    ClockKind.SCREEN_SITE: EscalationLevel.SITE_COORDINATOR,
    ClockKind.SCREEN_NETWORK: EscalationLevel.NETWORK_COORDINATOR,
}


@dataclass(frozen=True)
class ScreenTrack:
    """What the clocks know of a positive screen: its site, urgency and how it stands."""

    screening_id: str
    site_id: str
    urgent: bool
    status: str
    screened_at: datetime | None = None
    safety_outcome: str | None = None


@dataclass(frozen=True)
class ScreenArm:
    """A screen's clock: fires at ``fire_at``; ``due_at`` is when the task it opens is due."""

    kind: ClockKind
    fire_at: datetime
    due_at: datetime


def tracked(screened_at: datetime, tracked_from: datetime | None) -> bool:
    """Whether a screen's clocks run: every screen, or those taken since tracking began."""
    return tracked_from is None or screened_at >= tracked_from


def end_of_business_day(site: BusinessCalendar, moment: datetime) -> datetime:
    """The last closing time of the business day the clock starts in (same day if open)."""
    start = site.first_open_instant(moment)
    day = start.astimezone(site.zone).date()
    end = start
    for opens, closes in site.windows_from(start):
        if opens.astimezone(site.zone).date() != day:
            break
        end = closes
    return end


def screen_clocks(
    urgent: bool, screened_at: datetime, site: BusinessCalendar, p: ClockPolicy
) -> list[ScreenArm]:
    if urgent and p.urgent_screen_account_hours is None:
        deadline = end_of_business_day(site, screened_at)
    else:
        hours = p.urgent_screen_account_hours if urgent else p.screen_account_hours
        deadline = site.add_open_hours(screened_at, hours or p.screen_account_hours)
    after = p.urgent_screen_network_after_hours if urgent else p.screen_network_after_hours
    network = site.add_open_hours(deadline, after)
    # The site's task is due when the network's coordinator would be told.
    return [
        ScreenArm(ClockKind.SCREEN_SITE, deadline, network),
        ScreenArm(ClockKind.SCREEN_NETWORK, network, network),
    ]


def escalation_on_fire(kind: ClockKind, track: ScreenTrack) -> EscalationLevel | None:
    """Whose task the screen becomes now; None when it was accounted for meanwhile."""
    if track.status != OPEN:
        return None
    return LEVEL_OF[kind]


def is_screen_clock(kind: ClockKind) -> bool:
    return kind in LEVEL_OF
