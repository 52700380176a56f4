"""Bounds on money and legal inputs, in one place shared by forms, services and the API.

Each check raises Django's `ValidationError` with a French message naming the rule; the
annotated types at the bottom carry the same checks into the API's schemas (django-ninja /
pydantic), so that a bad value is refused where it enters, with the field named.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from pydantic import AfterValidator, Field

# Article 278 and following of the CGI: the French VAT rates (metropolitan France, Corsica
# and the overseas departments included: 2.1 % is the super-reduced rate). Training by an
# organisation exempt under article 261-4-4° is invoiced at 0.
LEGAL_VAT_RATES = (Decimal("0"), Decimal("2.1"), Decimal("5.5"), Decimal("10"), Decimal("20"))
# Ten million euros: far above any training sale, far below what the database columns hold.
MAX_AMOUNT = Decimal("10000000")
# A quote longer than this is a mistake or an attack (each line is validated and written).
MAX_QUOTE_LINES = 200
# Accounting dates: from the year 2000 to ten years ahead (a payment cannot be received later
# than tomorrow, see `validate_received_on`).
EARLIEST_DATE = date(2000, 1, 1)
MAX_YEARS_AHEAD = 10
MAX_TEXT_LENGTH = 5000


def _rates_text() -> str:
    return ", ".join(f"{r:n}".replace(".", ",") for r in LEGAL_VAT_RATES)


def validate_vat_rate(value: Any) -> None:
    """A VAT rate (in %) must be one of the French legal rates."""
    try:
        rate = Decimal(str(value))
    except (InvalidOperation, ValueError):
        rate = None
    if rate is None or not rate.is_finite() or rate not in LEGAL_VAT_RATES:
        raise ValidationError(
            f"Taux de TVA « {value} » % refusé : les taux légaux français sont {_rates_text()} %.",
            code="vat_rate")


def validate_amount(value: Any, *, allow_zero: bool = False, allow_negative: bool = False) -> None:
    """An amount in euros: finite, at most two decimals, within ± MAX_AMOUNT."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError(f"Montant « {value} » illisible.", code="amount") from None
    if not amount.is_finite() or abs(amount) > MAX_AMOUNT:
        raise ValidationError(
            f"Montant « {value} » hors limites : au plus {MAX_AMOUNT:n} € en valeur absolue.",
            code="amount")
    if amount != amount.quantize(Decimal("0.01"), rounding="ROUND_DOWN"):
        raise ValidationError(f"Montant « {value} » : deux décimales au plus.", code="amount")
    if amount < 0 and not allow_negative or amount == 0 and not (allow_zero or allow_negative):
        raise ValidationError(f"Montant « {value} » : un montant positif est attendu.",
                              code="amount")


def validate_date_in_range(value: date, *, today: date | None = None) -> None:
    """A business date: not before 2000, not more than ten years ahead."""
    today = today or date.today()
    latest = today.replace(year=today.year + MAX_YEARS_AHEAD) if not (
        today.month == 2 and today.day == 29) else today + timedelta(days=365 * MAX_YEARS_AHEAD)
    if value < EARLIEST_DATE or value > latest:
        raise ValidationError(
            f"Date {value:%d/%m/%Y} hors limites : entre le {EARLIEST_DATE:%d/%m/%Y} et le "
            f"{latest:%d/%m/%Y}.", code="date")


def validate_received_on(value: date, *, today: date | None = None) -> None:
    """Money is received today or earlier (tomorrow tolerated: time zones), not before 2000."""
    today = today or date.today()
    if value < EARLIEST_DATE or value > today + timedelta(days=1):
        raise ValidationError(
            f"Date de réception {value:%d/%m/%Y} impossible : entre le {EARLIEST_DATE:%d/%m/%Y} "
            "et aujourd'hui.", code="date")


def validate_no_nul(value: str) -> None:
    if "\x00" in value:
        raise ValidationError("Le texte contient un caractère nul (\\0), refusé.", code="null_characters")


def validate_line_count(count: int) -> None:
    if count > MAX_QUOTE_LINES:
        raise ValidationError(f"{count} lignes : un devis en compte {MAX_QUOTE_LINES} au plus.",
                              code="too_many_lines")


# --- the same checks as annotated types for the API's schemas ---------------------------

def _as_pydantic(check: Callable[[Any], None]) -> Callable[[Any], Any]:
    def run(value: Any) -> Any:
        try:
            check(value)
        except ValidationError as exc:
            raise ValueError(" ".join(exc.messages)) from None
        return value
    return run


def _today() -> date:
    from ofelia.core import clock

    return clock.today()


VatRate = Annotated[Decimal, AfterValidator(_as_pydantic(validate_vat_rate)),
                    Field(json_schema_extra={"enum": [str(r) for r in LEGAL_VAT_RATES]})]
# Strictly positive amounts (payments, credit notes) and amounts that may be zero (prices).
Money = Annotated[Decimal, Field(gt=0, le=MAX_AMOUNT, max_digits=10, decimal_places=2)]
MoneyOrZero = Annotated[Decimal, Field(ge=0, le=MAX_AMOUNT, max_digits=10, decimal_places=2)]
Quantity = Annotated[Decimal, Field(gt=0, le=Decimal(100000), max_digits=9, decimal_places=3)]
BusinessDate = Annotated[date, AfterValidator(_as_pydantic(
    lambda d: validate_date_in_range(d, today=_today())))]
ReceivedOn = Annotated[date, AfterValidator(_as_pydantic(
    lambda d: validate_received_on(d, today=_today())))]
Text = Annotated[str, Field(max_length=MAX_TEXT_LENGTH), AfterValidator(_as_pydantic(validate_no_nul))]
ShortText = Annotated[str, Field(max_length=255), AfterValidator(_as_pydantic(validate_no_nul))]
# List endpoints: a page of 1 to 500 items, an offset a database can hold.
Limit = Annotated[int, Field(ge=1, le=500)]
Offset = Annotated[int, Field(ge=0, le=1_000_000)]
