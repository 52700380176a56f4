from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from ofelia.policies.legal import ENV_OVERRIDE_DIR, load_legal_data, read_legal_data
from ofelia.rules.errors import MissingLegalData
from ofelia.rules.legal import LegalData, LegalDataFormatError, half_year_of, parse_legal_data

RATES = """half_year,private_person,other,source
2025-H2,6.65,2.76,Arrêté du 19 juin 2025
2026-H1,6.67,2.62,Arrêté du 15 décembre 2025
"""
ECB = """effective_from,rate,source
2024-12-18,3.15,BCE
2025-06-11,2.15,BCE
"""
AMOUNTS = """parameter,effective_from,value,source
recovery_fee,2013-01-01,40.00,D441-5
cpf_participation,2024-05-02,100.00,Décret 2024-394
cpf_participation,2025-01-01,102.23,Arrêté du 26 décembre 2024
"""
COVERAGE = """table,known_until,source
ecb_rate,2026-11-01,relevé
cpf_participation,2025-12-31,relevé
"""


@pytest.fixture
def legal() -> LegalData:
    return parse_legal_data(legal_interest_rates=RATES, ecb_rates=ECB, amounts=AMOUNTS,
                            coverage=COVERAGE)


@pytest.fixture
def shipped() -> LegalData:
    return read_legal_data(None)


# --- PEN-2: legal interest rate ---------------------------------------------------------------


def test_pen_2_legal_rate_by_half_year_boundaries(legal: LegalData) -> None:
    assert legal.legal_rate(date(2025, 12, 31)) == Decimal("2.76")
    assert legal.legal_rate(date(2026, 1, 1)) == Decimal("2.62")
    assert legal.legal_rate(date(2026, 6, 30)) == Decimal("2.62")
    assert legal.legal_rate(date(2026, 1, 1), "private_person") == Decimal("6.67")
    assert legal.legal_rate_entry(date(2026, 3, 1)).source == "Arrêté du 15 décembre 2025"


def test_pen_2_missing_half_year_raises_naming_it(legal: LegalData) -> None:
    with pytest.raises(MissingLegalData) as error:
        legal.legal_rate(date(2026, 7, 1))
    assert "taux de l'intérêt légal 2026-H2" in str(error.value)
    assert error.value.what == "taux de l'intérêt légal 2026-H2"


def test_pen_2_unknown_creditor_is_refused(legal: LegalData) -> None:
    with pytest.raises(ValueError):
        legal.legal_rate(date(2026, 1, 1), "bank")  # type: ignore[arg-type]


def test_half_year_of_june_and_july() -> None:
    assert half_year_of(date(2026, 6, 30)) == "2026-H1"
    assert half_year_of(date(2026, 7, 1)) == "2026-H2"


def test_pen_2_shipped_legal_rates_all_values_of_legal_data(shipped: LegalData) -> None:
    expected = {
        "2020-H1": ("3.15", "0.87"), "2020-H2": ("3.11", "0.84"), "2021-H1": ("3.14", "0.79"),
        "2021-H2": ("3.12", "0.76"), "2022-H1": ("3.13", "0.76"), "2022-H2": ("3.15", "0.77"),
        "2023-H1": ("4.47", "2.06"), "2023-H2": ("6.82", "4.22"), "2024-H1": ("8.01", "5.07"),
        "2024-H2": ("8.16", "4.92"), "2025-H1": ("7.21", "3.71"), "2025-H2": ("6.65", "2.76"),
        "2026-H1": ("6.67", "2.62"),
    }
    got = {k: (str(v.private_person), str(v.other)) for k, v in shipped.legal_rates.items()}
    assert got == expected
    assert all(v.source for v in shipped.legal_rates.values())
    with pytest.raises(MissingLegalData, match="2026-H2"):
        shipped.legal_rate(date(2026, 9, 1))


# --- PEN-2: ECB rate ---------------------------------------------------------------------------


def test_pen_2_ecb_rate_is_the_one_in_force_on_1_january_or_1_july(shipped: LegalData) -> None:
    assert shipped.ecb_rate_for_half_year(date(2025, 3, 1)) == Decimal("3.15")
    assert shipped.ecb_rate_for_half_year(date(2025, 6, 30)) == Decimal("3.15")
    assert shipped.ecb_rate_for_half_year(date(2025, 7, 1)) == Decimal("2.15")
    assert shipped.ecb_rate_for_half_year(date(2026, 2, 14)) == Decimal("2.15")
    assert shipped.ecb_rate_for_half_year(date(2023, 1, 1)) == Decimal("2.50")
    assert shipped.ecb_rate_for_half_year(date(2023, 7, 1)) == Decimal("4.00")
    assert len(shipped.ecb_rates) == 19


def test_pen_2_ecb_rate_beyond_the_checked_period_or_before_the_table_is_missing(legal: LegalData) -> None:
    with pytest.raises(MissingLegalData, match="2027-01-01"):
        legal.ecb_rate_for_half_year(date(2027, 2, 1))
    with pytest.raises(MissingLegalData, match="BCE au 2024-07-01"):
        legal.ecb_rate_for_half_year(date(2024, 8, 1))


# --- FUN-L1 CPF participation, PEN-2b recovery fee ----------------------------------------------


def test_fun_l1_cpf_participation_by_date(shipped: LegalData) -> None:
    assert shipped.cpf_participation(date(2024, 5, 2)) == Decimal("100.00")
    assert shipped.cpf_participation(date(2024, 12, 31)) == Decimal("100.00")
    assert shipped.cpf_participation(date(2025, 1, 1)) == Decimal("102.23")
    assert shipped.cpf_participation(date(2025, 12, 31)) == Decimal("102.23")
    assert shipped.cpf_participation(date(2026, 1, 1)) == Decimal("103.20")


def test_fun_l1_no_cpf_participation_before_2_may_2024(shipped: LegalData) -> None:
    # Décret 2024-394 created the participation: before it, the learner paid nothing.
    assert shipped.cpf_participation(date(2024, 5, 1)) == Decimal("0.00")
    assert shipped.cpf_participation(date(2019, 1, 1)) == Decimal("0.00")
    with pytest.raises(MissingLegalData):
        shipped.cpf_participation(date(2018, 12, 31))  # before the CPF in euros


def test_fun_l1_cpf_participation_after_the_checked_year_is_missing(shipped: LegalData, legal: LegalData) -> None:
    with pytest.raises(MissingLegalData, match="participation forfaitaire CPF au 2027-01-01"):
        shipped.cpf_participation(date(2027, 1, 1))
    with pytest.raises(MissingLegalData, match="CPF au 2024-05-01"):
        legal.cpf_participation(date(2024, 5, 1))  # this table has no row before 2024-05-02


def test_pen_2b_recovery_fee(shipped: LegalData) -> None:
    assert shipped.recovery_fee == Decimal("40.00")
    assert shipped.recovery_fee_on(date(2026, 4, 15)) == Decimal("40.00")
    with pytest.raises(MissingLegalData):
        _ = parse_legal_data().recovery_fee


# --- parsing and overrides ----------------------------------------------------------------------


def test_later_text_overrides_and_extends_earlier_rows() -> None:
    data = parse_legal_data(legal_interest_rates=[
        RATES,
        "half_year,private_person,other,source\n"
        "2026-H2,6.50,2.40,Arrêté test\n"
        "2026-H1,6.67,2.63,Correction test\n",
    ])
    assert data.legal_rate(date(2026, 7, 1)) == Decimal("2.40")
    assert data.legal_rate(date(2026, 1, 1)) == Decimal("2.63")
    assert data.legal_rate(date(2025, 7, 1)) == Decimal("2.76")


def test_comments_and_blank_lines_are_ignored() -> None:
    data = parse_legal_data(ecb_rates="effective_from,rate,source\n# commentaire,,\n\n"
                            "2025-06-11,2.15,BCE\n")
    assert data.ecb_rate_for_half_year(date(2025, 7, 1)) == Decimal("2.15")


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"legal_interest_rates": "half_year,other,source\n2026-H1,2.62,x\n"}, "private_person"),
        ({"legal_interest_rates": "half_year,private_person,other,source\n2026-S1,1,2,x\n"},
         "semestre invalide"),
        ({"legal_interest_rates": "half_year,private_person,other,source\n2026-H1,1,2.6.2,x\n"},
         "ligne 2 : other"),
        ({"ecb_rates": "effective_from,rate,source\n2025-13-01,2.15,x\n"}, "date invalide"),
        ({"ecb_rates": "effective_from,rate,source\n2025-06-11,2.15,\n"}, "source"),
        ({"ecb_rates": "effective_from,rate,source\n2025-06-11,-1,x\n"}, "négative"),
        ({"amounts": "parameter,effective_from,value,source\nbonus,2025-01-01,1,x\n"},
         "paramètre inconnu"),
        ({"coverage": "table,known_until,source\nlegal,2025-01-01,x\n"}, "table inconnue"),
    ],
)
def test_malformed_tables_name_the_table_line_and_column(kwargs: dict[str, str], fragment: str) -> None:
    with pytest.raises(LegalDataFormatError, match=fragment):
        parse_legal_data(**kwargs)


def test_override_directory_extends_the_shipped_tables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "legal_interest_rates.csv").write_text(
        "half_year,private_person,other,source\n2026-H2,6.40,2.31,Arrêté de juin 2026 (test)\n",
        encoding="utf-8",
    )
    (tmp_path / "coverage.csv").write_text(
        "table,known_until,source\ncpf_participation,2027-12-31,relevé test\n", encoding="utf-8"
    )
    (tmp_path / "amounts.csv").write_text(
        "parameter,effective_from,value,source\ncpf_participation,2027-01-01,104.00,test\n",
        encoding="utf-8",
    )
    data = read_legal_data(tmp_path)
    assert data.legal_rate(date(2026, 8, 1)) == Decimal("2.31")
    assert data.legal_rate(date(2026, 2, 1)) == Decimal("2.62")  # shipped rows kept
    assert data.cpf_participation(date(2027, 3, 1)) == Decimal("104.00")

    monkeypatch.setenv(ENV_OVERRIDE_DIR, str(tmp_path))
    assert load_legal_data().legal_rate(date(2026, 8, 1)) == Decimal("2.31")
    monkeypatch.delenv(ENV_OVERRIDE_DIR)
    with pytest.raises(MissingLegalData, match="2026-H2"):
        load_legal_data().legal_rate(date(2026, 8, 1))


def test_override_directory_without_a_table_uses_the_shipped_one(tmp_path: Path) -> None:
    assert read_legal_data(tmp_path) == read_legal_data(None)
