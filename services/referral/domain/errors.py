"""The referral service's refusals, as `warmlink.errors` kinds.

The domain and the service layer raise these; `warmlink.problems.install` answers them as
problem+json at the HTTP edge, so no module below the entrypoints knows a status code.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING
from uuid import UUID

from contracts.lifecycle import ReferralStatus
from warmlink.errors import Conflict, Invalid, NotFound

if TYPE_CHECKING:
    from services.referral.domain.lifecycle import Action


class ReferralNotFound(NotFound):
    """No such referral for the caller's organization: another organization never learns that
    it exists, so "not yours" and "not there" read the same."""

    def __init__(self, referral_id: UUID) -> None:
        super().__init__(f"No referral {referral_id} for this organization.")


class IllegalTransition(Conflict):
    """An action that does not fit the referral's current state; the answer names that state."""

    def __init__(self, current: ReferralStatus, action: Action) -> None:
        super().__init__(
            f"cannot {action.value.replace('_', ' ')} a referral that is {current}",
            current_status=str(current),
        )
        self.current = current
        self.action = action


class ScreenNotFound(NotFound):
    """No such positive screen on the caller's site's worklist (another site's reads the same)."""

    def __init__(self, screening_id: UUID) -> None:
        super().__init__(f"No positive screen {screening_id} on this site's worklist.")


class ScreenAlreadyAccounted(Conflict):
    """The screen was referred, or closed for another reason: the answer names which."""

    def __init__(self, status: str, closure_reason: str | None) -> None:
        how = f"closed ({closure_reason})" if closure_reason else status
        super().__init__(f"The positive screen is already {how}.", current_status=status)


class SafetyAssessmentMissing(Conflict):
    """An urgent screen (positive safety item) cannot close before its safety assessment."""

    def __init__(self) -> None:
        super().__init__(
            "An urgent screen needs a recorded safety assessment before it can be closed: "
            "POST /v1/worklist/{screening_id}/safety-assessment first.",
            missing="safety_assessment",
        )


class NoteRequired(Invalid):
    """A closure for `other` reasons says what they were."""

    def __init__(self) -> None:
        super().__init__("A closure for reason 'other' needs a note.", field="/note")


class ScreenNotOnWorklist(Conflict):
    """A routine referral names a screen its site's worklist does not hold (yet): its urgency
    cannot be checked, so nothing is stored. The site retries once the screen has arrived, or
    sends it as urgent (see domain/urgency.py)."""

    retry_after_s = 1  # the ScreenPositive is usually a moment behind the screen

    def __init__(self, screening_id: UUID) -> None:
        super().__init__(
            f"screen {screening_id} is not on this site's worklist yet, so its urgency cannot "
            "be checked; retry in a moment, or send urgency 'urgent'",
            field="/screening_id",
            screening_id=str(screening_id),
        )


class AppointmentNotYetHeld(Conflict):
    """Attendance (or a no-show) recorded before the appointment's time: it cannot have
    happened yet. The answer says when the appointment is."""

    def __init__(self, appointment_at: datetime) -> None:
        super().__init__(
            f"the appointment is at {appointment_at.isoformat()}: whether she attended can be "
            "recorded from then on",
            appointment_at=appointment_at.isoformat(),
        )


class PracticePassedOver(Conflict):
    """The redirect's target already declined this referral or missed its acknowledgement."""

    def __init__(self, practice_id: str) -> None:
        super().__init__(
            f"practice {practice_id} already declined or missed this referral; "
            "choose another from next-matches",
            field="/practice_id",
            practice_id=practice_id,
        )


class RedisclosureConsentMissing(Invalid):
    """A 42 CFR Part 2 referral moves to a new practice only with her consent naming it."""

    def __init__(self) -> None:
        super().__init__(
            "42 CFR Part 2 data needs her consent to redisclose to the new practice",
            field="/consent/part2_redisclosure",
        )


class NoDischargeSummary(NotFound):
    """The referral is visible to the caller but carries no discharge summary yet."""

    def __init__(self, referral_id: object) -> None:
        super().__init__(f"referral {referral_id} has no discharge summary yet")


class NotAnIopReferral(Conflict):
    """Only an IOP/PHP referral carries a discharge summary."""

    def __init__(self, referral_id: object) -> None:
        super().__init__(f"referral {referral_id} is not an IOP/PHP referral", field="/setting")


class NoAppointmentToConfirm(Conflict):
    """The provider can confirm only an appointment the referral has."""

    def __init__(self, referral_id: object, status: str) -> None:
        super().__init__(
            f"referral {referral_id} has no appointment to confirm (it is {status})",
            current_status=status,
        )


class NotAHospitalReferral(Conflict):
    """Only a hospital referral has a planned discharge time to move."""

    def __init__(self, referral_id: object) -> None:
        super().__init__(f"referral {referral_id} is not a hospital referral", field="/setting")


class ReferralFinished(Conflict):
    """A cancelled or closed referral has no gate left to move."""

    def __init__(self, referral_id: object, status: str) -> None:
        super().__init__(f"referral {referral_id} is {status}", current_status=status)


class NoRedirectProposal(Conflict):
    """The site declined a redirect proposal that is not open: none was made (the policy is not
    `propose`, or nothing is due), or it was already made, held, kept or outrun."""

    def __init__(self) -> None:
        super().__init__("This referral has no open redirect proposal.", proposal="none")


class PatientMessagesOff(Conflict):
    """The network sends nothing to patients (REFERRAL_NOTIFY_CHANNEL is none)."""

    def __init__(self) -> None:
        super().__init__("This network does not send messages to patients.", channel="none")


class NoContactForChannel(Conflict):
    """She gave no address on the channel the network sends on (or her number is not safe to
    text); the answer names the channel, never her details."""

    def __init__(self, channel: str) -> None:
        what = "email address" if channel == "smtp" else "phone number"
        super().__init__(f"She gave no {what} to send it to.", channel=channel)


class StatusLinkNotFound(NotFound):
    """No status page for this link: never issued, or expired. Both read the same, so a guess
    learns nothing from the answer."""

    def __init__(self) -> None:
        super().__init__("No status page at this address.")


class PracticeSuspended(Conflict):
    """The directory has suspended the practice: no referral goes to it, new or redirected."""

    def __init__(self, practice_id: str) -> None:
        super().__init__(
            f"practice {practice_id} is suspended from the network and takes no referrals; "
            "choose another practice",
            field="/practice_id",
            practice_id=practice_id,
        )
