"""The legal data in force for the web app and the jobs: shipped tables, the
`OFELIA_LEGAL_DATA_DIR` files, then the rows the operator entered in the product.

`ofelia simulate` on the command line does not read the database (it must not import
Django): it sees the shipped tables and the override directory only.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from ofelia.policies.legal import override_dir_from_env, read_legal_data
from ofelia.rules.errors import MissingLegalData
from ofelia.rules.french import fr_date
from ofelia.rules.legal import LegalData, half_year_of

from .models import LegalDataRow

# The columns of each table, in the order of the shipped CSV files.
COLUMNS: dict[str, tuple[str, ...]] = {
    "legal_interest_rates": ("half_year", "private_person", "other", "source"),
    "ecb_rates": ("effective_from", "rate", "source"),
    "amounts": ("parameter", "effective_from", "value", "source"),
    "coverage": ("table", "known_until", "source"),
}

Rows = tuple[tuple[str, tuple[tuple[str, str], ...]], ...]


def csv_text(table: str, rows: Iterable[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS[table], lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: row.get(c, "") for c in COLUMNS[table]})
    return out.getvalue()


def build_legal_data(rows: Rows) -> LegalData:
    """Shipped + override files + the given operator rows (later rows win on equal keys)."""
    per_table: dict[str, list[dict[str, str]]] = {}
    for table, items in rows:
        per_table.setdefault(table, []).append(dict(items))
    return read_legal_data(override_dir_from_env(),
                           {t: [csv_text(t, r)] for t, r in per_table.items()})


@lru_cache(maxsize=8)
def _cached(rows: Rows) -> LegalData:
    return build_legal_data(rows)


def operator_rows() -> Rows:
    return tuple((table, tuple(sorted(row.items())))
                 for table, row in LegalDataRow.objects.order_by("created_at", "id")
                 .values_list("table", "row"))


def legal_data() -> LegalData:
    """One small query; parsed once per distinct set of operator rows."""
    return _cached(operator_rows())


@dataclass(frozen=True)
class Missing:
    what: str
    consequence: str
    table: str


def missing_items(on: date, data: LegalData | None = None) -> list[Missing]:
    """The legal data the product needs today and does not have: asked for, never guessed."""
    data = data or legal_data()
    found: list[Missing] = []
    probes = (
        (lambda: data.legal_rate_entry(on), "legal_interest_rates",
         f"taux de l'intérêt légal du semestre {half_year_of(on)}",
         "les intérêts de retard au taux légal (et leurs multiples) ne sont pas calculés"),
        (lambda: data.ecb_rate_entry_for_half_year(on), "ecb_rates",
         f"taux BCE applicable au semestre {half_year_of(on)}",
         "les pénalités « BCE + 10 points » ne sont pas calculées"),
        (lambda: data.cpf_participation(on), "amounts",
         f"participation forfaitaire CPF au {fr_date(on)}",
         "le reste à charge CPF ne peut pas être calculé"),
        (lambda: data.recovery_fee_on(on), "amounts",
         f"indemnité forfaitaire de recouvrement au {fr_date(on)}",
         "l'indemnité de 40 € n'est pas ajoutée"),
    )
    for probe, table, what, consequence in probes:
        try:
            probe()
        except MissingLegalData:
            found.append(Missing(what=what, consequence=consequence, table=table))
    return found
