"""The portal's sealed columns (warmlink/sealed.py): what `warmlink seal reseal` walks. Each
binding is the adapter's own, so a value re-sealed opens where it did before."""

from __future__ import annotations

from services.portal.adapters import identity_providers, invitations, people
from services.portal.adapters.alert_choices import phone_bound_to
from services.portal.adapters.outgoing_mail import _bound_to as mail_bound_to
from warmlink.sealed import SealedColumn, SealedColumns

by = SealedColumn.by
SEALED = SealedColumns(
    columns=(
        by("people", "totp_secret", "id", people.totp_bound_to),
        by("invitations", "totp_secret", "id", invitations.totp_bound_to),
        by("outgoing_mail", "sealed", "about", mail_bound_to),
        by("identity_providers", "client_secret", "id", identity_providers.secret_bound_to),
        by(
            "organization_sign_ins",
            "code_verifier",
            "state_sha256",
            identity_providers.verifier_bound_to,
        ),
        by("alert_settings", "phone", "person_id", phone_bound_to),
    ),
    not_sealed={
        "sessions.id_sha256": "a digest of the session cookie",
        "invitations.token_sha256": "a digest of the invitation link's token",
        "organization_sign_ins.state_sha256": "a digest of the sign-in's state",
        "organization_sign_ins.binding_sha256": "a digest binding the sign-in to its browser",
    },
)
