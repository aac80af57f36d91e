from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from warmlink.settings import ServiceSettings


class FollowupSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="FOLLOWUP_", extra="ignore")
    service_name: ClassVar[str] = "followup"
    default_port: ClassVar[int] = 8004

    # clocks (the holidays and acknowledgement rules are the network's: see ServiceSettings)
    # Sites publish no hours of their own: coordinators work business hours in this zone, and a
    # practice not yet seen in the directory events gets it too.
    network_time_zone: str = "America/Chicago"
    followup_opens_days: int = Field(7, ge=1)
    followup_due_days: int = Field(10, ge=1)
    urgent_followup_opens_days: int = Field(2, ge=1)
    urgent_followup_due_days: int = Field(3, ge=1)
    hospital_alert_lead_hours: float = Field(4.0, gt=0)
    iop_alert_lead_hours: float = Field(48.0, gt=0)
    reengage_business_days: int = Field(2, ge=1)
    urgent_reengage_business_days: int = Field(1, ge=1)
    # An urgent referral not acknowledged within these open hours of the practice's intake line
    # (before its acknowledgement deadline): UrgentAcknowledgementOverdue, the people's alert.
    urgent_ack_alert_open_hours: float = Field(2.0, gt=0)
    # Positive screens: referred or closed within these business hours of the site's coordinators
    # (urgent: unset, by the close of the same business day), else a task for the site's
    # coordinator; still not after these more, one for the network's.
    screen_account_business_hours: float = Field(8.0, gt=0)
    urgent_screen_account_business_hours: float | None = Field(None, gt=0)
    screen_network_after_business_hours: float = Field(8.0, gt=0)
    urgent_screen_network_after_business_hours: float = Field(1.0, gt=0)
    # When the sites' coordinators work: business hours (weekdays 9 to 5, holidays off, in the
    # network's zone) or around the clock (a hospital's staff: every hour counts).
    coordinator_hours: Literal["business", "around_the_clock"] = "business"
    # Screens taken before this instant arm no clocks (see docs/operations.md, "Upgrading"): a
    # network that starts tracking screens would otherwise read its whole screening history and
    # escalate every screen of past months at once. Unset: every screen is tracked.
    screen_clocks_from: datetime | None = None
    # How often the scheduler looks for due clocks (it also wakes for the next one due sooner).
    scheduler_interval_s: float = Field(5.0, gt=0)
    scheduler_enabled: bool = True

    @model_validator(mode="after")
    def _clocks_make_sense(self) -> FollowupSettings:
        # Refuse at start-up rather than arm clocks that can never fire in order.
        if self.followup_due_days < self.followup_opens_days:
            raise ValueError("FOLLOWUP_FOLLOWUP_DUE_DAYS must not be before ..._OPENS_DAYS")
        if self.urgent_followup_due_days < self.urgent_followup_opens_days:
            raise ValueError("FOLLOWUP_URGENT_FOLLOWUP_DUE_DAYS must not be before ..._OPENS_DAYS")
        try:
            ZoneInfo(self.network_time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {self.network_time_zone!r}") from None
        return self

    # measures: capacity nobody has confirmed for this long is shown as stale even when its last
    # event said fresh (the directory publishes on change, not on ageing); the directory's default.
    capacity_stale_after_hours: float = Field(168.0, gt=0)
    # measures: the longest from..to a metrics request may span. Every referral of the span is
    # loaded and measured in memory: an unbounded range (from=0001-01-01) read the whole table per
    # request. A year and a day keeps a yearly review working.
    metrics_max_days: int = Field(366, ge=1)
