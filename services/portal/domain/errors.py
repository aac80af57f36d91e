"""What the portal refuses, as `warmlink.errors` kinds. Pages show them next to the field."""

from __future__ import annotations

from uuid import UUID

from warmlink.errors import Conflict, Invalid, NotAllowed, NotFound


class SignInRefused(NotAllowed):
    """Wrong email, password or code: one message for all, so nobody learns which was wrong."""

    def __init__(self, field: str = "/password") -> None:
        super().__init__("That did not match. Check the email, password and code.", field=field)


class LockedOut(NotAllowed):
    def __init__(self, seconds: int) -> None:
        minutes = max(1, -(-seconds // 60))
        super().__init__(
            f"Too many attempts. Try again in {minutes} minute{'s' if minutes > 1 else ''}.",
            field="/password",
        )
        self.retry_after_s = seconds


class SessionEnded(NotAllowed):
    """No session, or one that ended (idle, too old, signed out, person disabled)."""

    def __init__(self, reason: str) -> None:
        super().__init__("Please sign in.", reason=reason)
        self.reason = reason


class CsrfRefused(NotAllowed):
    def __init__(self) -> None:
        super().__init__("This form has expired. Reload the page and try again.")


class NoSuchPerson(NotFound):
    def __init__(self) -> None:
        super().__init__("No such person in your organization.")


class NotAnOrganizationAdmin(NotAllowed):
    def __init__(self) -> None:
        super().__init__("Only your organization's administrator may do this.")


class EmailTaken(Conflict):
    def __init__(self) -> None:
        super().__init__("A person with this email already has an account.", field="/email")


class WeakPassword(Invalid):
    def __init__(self, minimum: int) -> None:
        super().__init__(f"Use at least {minimum} characters.", field="/password")


class AlreadyInvited(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "This email has an invitation waiting: resend or revoke it below.", field="/email"
        )


class RoleNotInOrganization(Invalid):
    def __init__(self) -> None:
        super().__init__("Choose a role your organization has.", field="/role")


class NoSuchInvitation(NotFound):
    def __init__(self) -> None:
        super().__init__("This invitation link is not valid. Check that you copied all of it.")


class InvitationClosed(Conflict):
    """Expired, used or revoked: each says what she can do next."""

    MESSAGES = {
        "expired": "This invitation has expired. Ask your organization's administrator to "
        "send it again.",
        "accepted": "This invitation was already used. Sign in with the password you chose.",
        "revoked": "This invitation was withdrawn by your organization's administrator.",
    }

    def __init__(self, standing: str) -> None:
        super().__init__(self.MESSAGES[standing], standing=standing)
        self.standing = standing


class PasswordsDiffer(Invalid):
    def __init__(self) -> None:
        super().__init__("The two passwords are not the same.", field="/password_again")


class CodeNotAccepted(Invalid):
    def __init__(self) -> None:
        super().__init__(
            "That code did not match. Enter the code your app shows now.", field="/code"
        )


class OrganizationSignInRefused(NotAllowed):
    """A sign-in through an organization's identity provider did not complete. `outcome` is what
    the sign-in events record; `detail` is what the person reads (never the provider's words)."""

    def __init__(self, outcome: str, detail: str, person_id: UUID | None = None) -> None:
        super().__init__(detail)
        self.outcome = outcome
        self.person_id = person_id


class EmailDomainTaken(Conflict):
    def __init__(self, domains: list[str]) -> None:
        super().__init__(
            f"Already signs in through another provider: {', '.join(domains)}.",
            field="/email_domains",
        )


class NoSuchIdentityProvider(NotFound):
    def __init__(self) -> None:
        super().__init__("No such identity provider.")
