"""Urgency is the server's rule (docs/domain.md, "Safety path"): a referral answering a screen
whose safety item was positive is urgent whatever the referring site sends. A site may raise
urgency, never lower it. Pure: the command reads what the worklist knows of the screen and asks
here.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from contracts.codes import Urgency, UrgencyReason
from services.referral.domain.errors import ScreenNotOnWorklist


@dataclass(frozen=True)
class DecidedUrgency:
    urgency: Urgency
    reason: UrgencyReason | None  # why it is urgent; None when routine


def decide_urgency(
    requested: Urgency, screening_id: UUID | None, screen_urgent: bool | None
) -> DecidedUrgency:
    """`screen_urgent` is what the site's worklist holds for the screen the referral names
    (its ScreenPositive's `urgent`), or None when the screen is not on that worklist.

    A routine request naming a screen the worklist does not hold is refused (a Conflict the
    site retries) rather than stored: its ScreenPositive may not have arrived yet and may say
    urgent. Refusing is the safe and the simple answer. The clinician is still with the patient
    and retries within a second, and nothing is ever stored, announced or put on a clock as
    routine for an urgent screen: upgrading afterwards would leave the practice holding an
    urgent patient on the routine clock until the upgrade lands, and would need a second event
    and re-armed clocks in the follow-up service. An urgent request is never refused: nothing
    can be lowered.
    """
    if screen_urgent:
        return DecidedUrgency(Urgency.URGENT, UrgencyReason.SAFETY_ITEM_POSITIVE)
    if requested is Urgency.URGENT:
        return DecidedUrgency(Urgency.URGENT, UrgencyReason.REQUESTED_BY_SITE)
    if screening_id is not None and screen_urgent is None:
        raise ScreenNotOnWorklist(screening_id)
    return DecidedUrgency(Urgency.ROUTINE, None)
