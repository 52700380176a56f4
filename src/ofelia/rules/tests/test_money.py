from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ofelia.rules.money import D, cents, fmt_eur, percent_of, split_instalments

NBSP = "\u00a0"


def test_d_accepts_str_int_decimal_and_refuses_float_bool_and_garbage() -> None:
    assert D("2400.00") == Decimal("2400.00")
    assert D(" 12.5 ") == Decimal("12.5")
    assert D(7) == Decimal(7)
    assert D(Decimal("1.10")) == Decimal("1.10")
    with pytest.raises(TypeError):
        D(1.1)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        D(True)
    with pytest.raises(ValueError):
        D("douze")
    with pytest.raises(ValueError):
        D("NaN")
    with pytest.raises(ValueError):
        D("Infinity")


def test_cents_rounds_half_up_at_the_half_cent_boundary() -> None:
    assert cents("0.004") == Decimal("0.00")
    assert cents("0.005") == Decimal("0.01")
    assert cents("2.675") == Decimal("2.68")
    assert cents("-0.005") == Decimal("-0.01")
    assert str(cents(3)) == "3.00"


def test_percent_of_rounds_once_at_the_end() -> None:
    assert percent_of("2400.00", "25") == Decimal("600.00")
    assert percent_of("1490.00", "30") == Decimal("447.00")
    assert percent_of("0.10", "5") == Decimal("0.01")  # 0.005 → 0.01 half-up
    assert percent_of("100", "33.333") == Decimal("33.33")


def test_pay_l1_split_instalments_puts_the_cent_remainder_on_the_first() -> None:
    assert split_instalments("1000.00", 3) == (
        Decimal("333.34"), Decimal("333.33"), Decimal("333.33"))
    assert split_instalments("1490.00", 4) == (Decimal("372.50"),) * 4
    assert split_instalments("1000.03", 4) == (
        Decimal("250.03"), Decimal("250.00"), Decimal("250.00"), Decimal("250.00"))
    assert split_instalments("10", 1) == (Decimal("10.00"),)
    with pytest.raises(ValueError):
        split_instalments("10", 0)
    with pytest.raises(ValueError):
        split_instalments("-10", 2)


@given(
    total=st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False),
    count=st.integers(min_value=1, max_value=12),
)
def test_split_instalments_adds_up_and_differs_only_on_the_first(total: Decimal, count: int) -> None:
    parts = split_instalments(total, count)
    assert len(parts) == count
    assert sum(parts, Decimal(0)) == total
    assert all(p == parts[-1] for p in parts[1:])
    assert Decimal(0) <= parts[0] - parts[-1] < Decimal("0.01") * count


def test_fmt_eur_french_display_with_no_break_spaces() -> None:
    assert fmt_eur("1200") == f"1{NBSP}200,00{NBSP}€"
    assert fmt_eur("0.5") == f"0,50{NBSP}€"
    assert fmt_eur("999.999") == f"1{NBSP}000,00{NBSP}€"
    assert fmt_eur("1234567.8") == f"1{NBSP}234{NBSP}567,80{NBSP}€"
    assert fmt_eur("-12.5") == f"-12,50{NBSP}€"
    assert fmt_eur("100") == f"100,00{NBSP}€"
