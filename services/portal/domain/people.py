"""People: who has an account, and the lockout that slows down guessing a password."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from uuid import UUID

from warmlink.roles import ORGANIZATION_ADMINS, PersonRole, Role


@dataclass(frozen=True)
class Person:
    id: UUID
    organization_id: str
    role: PersonRole
    access_role: Role  # what her organization's kind lets her do at the services
    email: str
    password_hash: str
    totp_secret: str  # opened (it is sealed at rest)
    totp_last_step: int | None = None  # the last accepted code's time step: never accepted again
    failed_attempts: int = 0
    lockouts: int = 0
    locked_until: datetime | None = None
    disabled_at: datetime | None = None

    @property
    def administers_people(self) -> bool:
        return self.role in ORGANIZATION_ADMINS

    @property
    def refers(self) -> bool:
        """A referring site's person: she has a worklist."""
        return self.access_role is Role.CLINIC

    @property
    def keeps_partners(self) -> bool:
        """Her site's coordinator: she chooses the practices it refers to first."""
        return self.access_role is Role.CLINIC and self.role is PersonRole.SITE_COORDINATOR

    @property
    def coordinates_site(self) -> bool:
        """Her site's coordinator: she has the coordination console (tasks, breaches, risks)."""
        return self.access_role is Role.CLINIC and self.role is PersonRole.SITE_COORDINATOR

    @property
    def coordinates_network(self) -> bool:
        """The network's coordinators and administrators: the network console."""
        return self.access_role is Role.ADMIN

    def may_administer(self, other: Person) -> bool:
        return self.administers_people and other.organization_id == self.organization_id


@dataclass(frozen=True)
class LockoutPolicy:
    """After `threshold` failures in a row the account locks for `first`, doubling with each
    lockout since the last success, up to `longest`."""

    threshold: int = 5
    first: timedelta = timedelta(seconds=60)
    longest: timedelta = timedelta(hours=1)

    def locked_for(self, person: Person, now: datetime) -> timedelta | None:
        if person.locked_until is None or person.locked_until <= now:
            return None
        return person.locked_until - now

    def after_failure(self, person: Person, now: datetime) -> Person:
        failures = person.failed_attempts + 1
        if failures < self.threshold:
            return replace(person, failed_attempts=failures)
        lasts = min(self.first * (2**person.lockouts), self.longest)
        return replace(
            person, failed_attempts=0, lockouts=person.lockouts + 1, locked_until=now + lasts
        )

    @staticmethod
    def after_success(person: Person) -> Person:
        return replace(person, failed_attempts=0, lockouts=0, locked_until=None)
