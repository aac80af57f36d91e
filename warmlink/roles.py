"""Who a caller is to the network: the access role every token carries, and a person's role.

An access `Role` is what the services' role checks read: a referring site's staff act as
`clinic`, a receiving practice's as `practice`, the network's as `admin`. Machine clients get
the role their organization's kind implies; a person (signed in at the portal) gets the same
access role plus a `PersonRole` that says what she does there (docs/domain.md, "Who uses the
network").
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    CLINIC = "clinic"  # referring site staff
    PRACTICE = "practice"  # receiving practice staff
    ADMIN = "admin"  # network administration


class PersonRole(StrEnum):
    """A person's role in her organization. `clinician` exists at sites and practices alike."""

    CLINICIAN = "clinician"
    MA = "ma"  # medical assistant / front desk
    NURSE_SOCIAL_WORKER = "nurse_social_worker"
    SITE_COORDINATOR = "site_coordinator"
    INTAKE_COORDINATOR = "intake_coordinator"
    NETWORK_COORDINATOR = "network_coordinator"
    NETWORK_ADMIN = "network_admin"


PERSON_ROLES: dict[Role, frozenset[PersonRole]] = {
    Role.CLINIC: frozenset(
        {
            PersonRole.CLINICIAN,
            PersonRole.MA,
            PersonRole.NURSE_SOCIAL_WORKER,
            PersonRole.SITE_COORDINATOR,
        }
    ),
    Role.PRACTICE: frozenset({PersonRole.INTAKE_COORDINATOR, PersonRole.CLINICIAN}),
    Role.ADMIN: frozenset({PersonRole.NETWORK_COORDINATOR, PersonRole.NETWORK_ADMIN}),
}

# Who administers the people of her own organization (invites them, disables them).
ORGANIZATION_ADMINS = frozenset(
    {PersonRole.SITE_COORDINATOR, PersonRole.INTAKE_COORDINATOR, PersonRole.NETWORK_ADMIN}
)


def person_role_fits(access: Role, person: PersonRole) -> bool:
    """Whether an organization whose callers act as `access` can have a person in `person`."""
    return person in PERSON_ROLES[access]


# Who may read a record's audit trail (who read or changed it): the coordinator of the site that
# made the record, and the network (the admin access role is only the network's organization:
# its administrators, coordinators and tools). Everyone else is told the record is not there.
TRAIL_READERS_AT_SITE = frozenset({PersonRole.SITE_COORDINATOR})


def reads_audit_trail(
    access: Role, person: PersonRole | None, organization_id: str, site_id: str
) -> bool:
    """Whether a caller of `organization_id` may read the trail of a record `site_id` made."""
    if access is Role.ADMIN:
        return True
    return person in TRAIL_READERS_AT_SITE and organization_id == site_id
