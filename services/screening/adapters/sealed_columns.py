"""The screening service's sealed columns (warmlink/sealed.py), and the backfill that seals
answers stored in clear before migration 004."""

from __future__ import annotations

from services.screening.adapters.repository import answers_bound_to, seal_answers_in_clear
from warmlink.sealed import SealedColumn, SealedColumns

SEALED = SealedColumns(
    columns=(SealedColumn.by("screenings", "answers_sealed", "id", answers_bound_to),),
    backfills=(seal_answers_in_clear,),
)
