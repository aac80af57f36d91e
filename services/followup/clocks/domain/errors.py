"""The clocks' refusals, as `warmlink.errors` kinds (mapped to problem+json at the HTTP edge)."""

from __future__ import annotations

from warmlink.errors import Conflict, Invalid, NotFound


class TaskNotFound(NotFound):
    """No such task, or not the caller's site's."""

    def __init__(self) -> None:
        super().__init__("No such task for your site.")


class TaskAlreadyClosed(Conflict):
    """The task was closed already, otherwise than the caller now says."""

    def __init__(self, status: str, closed_by: str | None) -> None:
        super().__init__(f"The task is already {status} ({closed_by}).", current_status=status)


class BarrierMisstated(Invalid):
    """A barrier given where care happened, or missing where it did not."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail, field="/barrier")


class ScreenTaskNotCompletable(Conflict):
    """A positive screen's task is settled by referring or closing the screen, not completed."""

    def __init__(self, status: str) -> None:
        super().__init__(
            "This task is settled by referring the patient or closing the screen on the "
            "referral service's worklist (POST /v1/worklist/{screening_id}/close).",
            current_status=status,
        )
