"""Dated legal parameters (LEGAL-DATA.md): legal interest rate, ECB rate, fixed amounts.

The core reads no file: `parse_legal_data` is handed the CSV *texts* (the shipped tables,
then any administrator overrides, later rows replacing earlier ones with the same key).
A value the tables do not hold raises `MissingLegalData` naming it: never guess.
"""

from __future__ import annotations

import csv
import io
import re
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

from ofelia.rules.errors import MissingLegalData, RulesError
from ofelia.rules.money import D

Creditor = Literal["private_person", "other"]
CREDITORS: tuple[Creditor, ...] = ("private_person", "other")

# Parameters of amounts.csv the product knows about.
RECOVERY_FEE = "recovery_fee"
CPF_PARTICIPATION = "cpf_participation"
AMOUNT_PARAMETERS = (RECOVERY_FEE, CPF_PARTICIPATION)
# Series whose last known value must not be extended past the date it was checked.
COVERED_TABLES = ("ecb_rate", CPF_PARTICIPATION, RECOVERY_FEE)

_HALF_YEAR = re.compile(r"^(\d{4})-H([12])$")


class LegalDataFormatError(RulesError):
    """A legal data table is malformed: names the table, the line and the column."""

    def __init__(self, table: str, line: int, message: str) -> None:
        self.table = table
        self.line = line
        super().__init__(f"{table}, ligne {line} : {message}")


def half_year_of(on: date) -> str:
    return f"{on.year}-H{1 if on.month <= 6 else 2}"


def half_year_start(on: date) -> date:
    """1 January or 1 July of the half-year containing `on`."""
    return date(on.year, 1 if on.month <= 6 else 7, 1)


@dataclass(frozen=True)
class LegalRate:
    half_year: str
    private_person: Decimal
    other: Decimal
    source: str

    def for_creditor(self, creditor: Creditor) -> Decimal:
        return self.private_person if creditor == "private_person" else self.other


@dataclass(frozen=True)
class DatedValue:
    effective_from: date
    value: Decimal
    source: str


@dataclass(frozen=True)
class Coverage:
    table: str
    known_until: date
    source: str


def _value_on(series: Sequence[DatedValue], on: date) -> DatedValue | None:
    index = bisect_right([v.effective_from for v in series], on)
    return series[index - 1] if index else None


@dataclass(frozen=True)
class LegalData:
    legal_rates: Mapping[str, LegalRate] = field(default_factory=dict)
    ecb_rates: tuple[DatedValue, ...] = ()
    amounts: Mapping[str, tuple[DatedValue, ...]] = field(default_factory=dict)
    coverage: Mapping[str, Coverage] = field(default_factory=dict)

    # --- PEN-2: taux de l'intérêt légal ---------------------------------------------------

    def legal_rate_entry(self, on: date) -> LegalRate:
        key = half_year_of(on)
        entry = self.legal_rates.get(key)
        if entry is None:
            raise MissingLegalData(f"taux de l'intérêt légal {key}")
        return entry

    def legal_rate(self, on: date, creditor: Creditor = "other") -> Decimal:
        """Percent per year for the half-year of `on` (CMF L313-2). A training organisation
        is a professional creditor: the default is the all-other-cases value (PEN-2)."""
        if creditor not in CREDITORS:
            raise ValueError(f"type de créancier inconnu : {creditor!r}")
        return self.legal_rate_entry(on).for_creditor(creditor)

    # --- PEN-2: ECB main refinancing rate ----------------------------------------------------

    def ecb_rate_entry_for_half_year(self, on: date) -> DatedValue:
        reference = half_year_start(on)
        what = f"taux de refinancement de la BCE au {reference.isoformat()}"
        self._require_covered("ecb_rate", reference, what)
        entry = _value_on(self.ecb_rates, reference)
        if entry is None:
            raise MissingLegalData(what)
        return entry

    def ecb_rate_for_half_year(self, on: date) -> Decimal:
        """The ECB rate in force on 1 January / 1 July of the half-year of `on` (L441-10)."""
        return self.ecb_rate_entry_for_half_year(on).value

    # --- fixed amounts -----------------------------------------------------------------------

    def amount_entry(self, parameter: str, on: date) -> DatedValue:
        what = _AMOUNT_NAMES.get(parameter, parameter) + f" au {on.isoformat()}"
        self._require_covered(parameter, on, what)
        entry = _value_on(self.amounts.get(parameter, ()), on)
        if entry is None:
            raise MissingLegalData(what)
        return entry

    def cpf_participation(self, on: date) -> Decimal:
        """FUN-L1: the CPF flat participation in force on `on` (0.00 before 2 May 2024,
        when the shipped table says so: décret 2024-394 created it)."""
        return self.amount_entry(CPF_PARTICIPATION, on).value

    def recovery_fee_on(self, on: date) -> Decimal:
        return self.amount_entry(RECOVERY_FEE, on).value

    @property
    def recovery_fee(self) -> Decimal:
        """PEN-2b: the flat recovery fee per late invoice, latest known value (D441-5)."""
        series = self.amounts.get(RECOVERY_FEE, ())
        if not series:
            raise MissingLegalData(_AMOUNT_NAMES[RECOVERY_FEE])
        return series[-1].value

    def _require_covered(self, table: str, on: date, what: str) -> None:
        covered = self.coverage.get(table)
        if covered is not None and on > covered.known_until:
            raise MissingLegalData(
                f"{what} (table vérifiée jusqu'au {covered.known_until.isoformat()})"
            )


_AMOUNT_NAMES = {
    RECOVERY_FEE: "indemnité forfaitaire pour frais de recouvrement",
    CPF_PARTICIPATION: "participation forfaitaire CPF",
}


# --- parsing ---------------------------------------------------------------------------------


def _texts(value: str | Sequence[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def _rows(
    table: str, text: str, columns: Sequence[str]
) -> Iterable[tuple[int, Mapping[str, str]]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [name.strip() for name in (reader.fieldnames or [])]
    missing = [c for c in columns if c not in header]
    if missing:
        raise LegalDataFormatError(table, 1, f"colonne(s) manquante(s) : {', '.join(missing)}")
    for row in reader:
        cleaned = {(k or "").strip(): (v or "").strip() for k, v in row.items() if k}
        if not any(cleaned.values()) or cleaned.get(columns[0], "").startswith("#"):
            continue  # blank lines and comment lines
        yield reader.line_num, cleaned


def _decimal(table: str, line: int, row: Mapping[str, str], column: str) -> Decimal:
    raw = row.get(column, "")
    try:
        value = D(raw)
    except (ValueError, TypeError):
        raise LegalDataFormatError(table, line, f"{column} : nombre invalide « {raw} »") from None
    if value < 0:
        raise LegalDataFormatError(table, line, f"{column} : valeur négative « {raw} »")
    return value


def _date(table: str, line: int, row: Mapping[str, str], column: str) -> date:
    raw = row.get(column, "")
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise LegalDataFormatError(table, line, f"{column} : date invalide « {raw} »") from None


def _source(table: str, line: int, row: Mapping[str, str]) -> str:
    source = row.get("source", "")
    if not source:
        raise LegalDataFormatError(table, line, "la source est obligatoire")
    return source


def parse_legal_data(
    *,
    legal_interest_rates: str | Sequence[str] = (),
    ecb_rates: str | Sequence[str] = (),
    amounts: str | Sequence[str] = (),
    coverage: str | Sequence[str] = (),
) -> LegalData:
    """Build the legal data from CSV texts; for each table, rows of a later text replace the
    rows of an earlier one with the same key (half-year, date, parameter+date, table)."""
    rates: dict[str, LegalRate] = {}
    for text in _texts(legal_interest_rates):
        table = "legal_interest_rates.csv"
        for line, row in _rows(table, text, ("half_year", "private_person", "other", "source")):
            key = row["half_year"]
            if not _HALF_YEAR.match(key):
                raise LegalDataFormatError(table, line, f"semestre invalide « {key} » (ex. 2026-H1)")
            rates[key] = LegalRate(
                half_year=key,
                private_person=_decimal(table, line, row, "private_person"),
                other=_decimal(table, line, row, "other"),
                source=_source(table, line, row),
            )

    ecb: dict[date, DatedValue] = {}
    for text in _texts(ecb_rates):
        table = "ecb_rates.csv"
        for line, row in _rows(table, text, ("effective_from", "rate", "source")):
            start = _date(table, line, row, "effective_from")
            ecb[start] = DatedValue(start, _decimal(table, line, row, "rate"),
                                    _source(table, line, row))

    values: dict[str, dict[date, DatedValue]] = {}
    for text in _texts(amounts):
        table = "amounts.csv"
        for line, row in _rows(table, text, ("parameter", "effective_from", "value", "source")):
            parameter = row["parameter"]
            if parameter not in AMOUNT_PARAMETERS:
                raise LegalDataFormatError(table, line, f"paramètre inconnu « {parameter} »")
            start = _date(table, line, row, "effective_from")
            values.setdefault(parameter, {})[start] = DatedValue(
                start, _decimal(table, line, row, "value"), _source(table, line, row)
            )

    covered: dict[str, Coverage] = {}
    for text in _texts(coverage):
        table = "coverage.csv"
        for line, row in _rows(table, text, ("table", "known_until", "source")):
            name = row["table"]
            if name not in COVERED_TABLES:
                raise LegalDataFormatError(table, line, f"table inconnue « {name} »")
            covered[name] = Coverage(name, _date(table, line, row, "known_until"),
                                     _source(table, line, row))

    return LegalData(
        legal_rates=dict(sorted(rates.items())),
        ecb_rates=tuple(v for _, v in sorted(ecb.items())),
        amounts={k: tuple(v for _, v in sorted(series.items())) for k, series in values.items()},
        coverage=covered,
    )
