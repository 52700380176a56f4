"""Writes of the legal data: the platform operator adds a row, checked like a shipped line."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from ofelia.core import audit
from ofelia.rules.legal import LegalDataFormatError

from .models import LegalDataRow
from .selectors import COLUMNS, build_legal_data, operator_rows


@transaction.atomic
def legal_row_add(*, actor: Any, table: str, row: dict[str, str]) -> LegalDataRow:
    """Add one row to a legal table; refused (nothing written) when it does not parse, with
    the column at fault named. Only the platform operator may: the value is the same for
    every organisation."""
    if actor is None or not getattr(actor, "is_superuser", False):
        raise PermissionDenied("Réservé à l'opérateur de la plateforme.")
    if table not in COLUMNS:
        raise ValidationError(f"Table inconnue : {table}.")
    clean = {c: str(row.get(c, "")).strip() for c in COLUMNS[table]}
    empty = [c for c, v in clean.items() if not v]
    if empty:
        raise ValidationError(f"Champ obligatoire manquant : {', '.join(empty)} (la source aussi).")
    clean = {c: (v.replace(",", ".") if c not in ("source", "half_year", "parameter", "table")
                 else v) for c, v in clean.items()}
    try:
        build_legal_data((*operator_rows(), (table, tuple(sorted(clean.items())))))
    except LegalDataFormatError as refused:
        raise ValidationError(str(refused)) from refused
    entry = LegalDataRow.objects.create(table=table, row=clean, created_by=actor)
    audit.record(actor=actor, action="legal_data.add", obj=entry, after={"table": table, **clean})
    return entry
