"""The directory's sealed columns (warmlink/sealed.py): what `warmlink seal reseal` walks."""

from __future__ import annotations

from services.directory.adapters.signing_keys import _associated as private_key_bound_to
from warmlink.sealed import SealedColumn, SealedColumns

SEALED = SealedColumns(
    columns=(SealedColumn.by("signing_keys", "private_key", "kid", private_key_bound_to),),
    not_sealed={"client_credentials.secret_sha256": "a digest of the secret, never the secret"},
)
