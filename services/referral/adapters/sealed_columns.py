"""The referral service's sealed columns (warmlink/sealed.py): what `warmlink seal reseal`
walks. Each binding is the adapter's own, so a value re-sealed opens where it did before."""

from __future__ import annotations

from services.referral.adapters.documents import _associated as summary_bound_to
from services.referral.adapters.patient_notifications import associated_data
from services.referral.adapters.patient_status_links import _associated as link_bound_to
from services.referral.adapters.referral_repository import _associated as patient_bound_to
from services.referral.adapters.referral_repository import (
    _logistics_associated as logistics_bound_to,
)
from services.referral.adapters.screen_accounting import _note_associated as note_bound_to
from services.referral.adapters.thread import _associated as message_bound_to
from services.referral.subscriptions.adapters.sealing import _bound_to as secret_bound_to
from warmlink.sealed import SealedColumn, SealedColumns

by = SealedColumn.by
SEALED = SealedColumns(
    columns=(
        by("referral_patients", "sealed", "referral_id", patient_bound_to),
        by("referrals", "appointment_logistics_sealed", "id", logistics_bound_to),
        by("worklist_items", "closure_note_sealed", "screening_id", note_bound_to),
        by("discharge_summaries", "sealed", "referral_id", summary_bound_to),
        SealedColumn(
            "referral_messages",
            "sealed",
            ("referral_id", "id"),
            lambda r: message_bound_to(r["referral_id"], r["id"]),
        ),
        by("patient_status_links", "sealed_token", "referral_id", link_bound_to),
        by("patient_notifications", "sealed", "referral_id", associated_data),
        by("subscriptions", "secret_sealed", "id", secret_bound_to),
        by("subscriptions", "previous_secret_sealed", "id", secret_bound_to),
    ),
    not_sealed={"patient_status_links.token_sha256": "a digest of her link's token"},
)
