"""Bounds on money and legal inputs, in one place shared by forms, services and the API.

Each check raises Django's `ValidationError` with a French message naming the rule; the
annotated types at the bottom carry the same checks into the API's schemas (django-ninja /
pydantic), so that a bad value is refused where it enters, with the field named.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from pydantic import AfterValidator, BeforeValidator, Field, WithJsonSchema

from ofelia.rules.french import fr_date

# Article 278 and following of the CGI: the French VAT rates (metropolitan France, Corsica
# and the overseas departments included: 2.1 % is the super-reduced rate). Training by an
# organisation exempt under article 261-4-4° is invoiced at 0.
LEGAL_VAT_RATES = (Decimal("0"), Decimal("2.1"), Decimal("5.5"), Decimal("10"), Decimal("20"))
# Ten million euros: far above any training sale, far below what the database columns hold.
MAX_AMOUNT = Decimal("10000000")
# A quote longer than this is a mistake or an attack (each line is validated and written).
MAX_QUOTE_LINES = 200
# Business dates: the years 2000 to 2099 (a payment cannot be received later than tomorrow,
# see `validate_received_on`).
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2099, 12, 31)
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


def validate_date_in_range(value: date) -> None:
    """A business date: in the years 2000 to 2099."""
    if value < EARLIEST_DATE or value > LATEST_DATE:
        raise ValidationError(
            f"Date {fr_date(value)} hors limites : entre le {fr_date(EARLIEST_DATE)} et le "
            f"{fr_date(LATEST_DATE)}.", code="date")


def validate_received_on(value: date, *, today: date | None = None) -> None:
    """Money is received today or earlier (tomorrow tolerated: time zones), not before 2000."""
    today = today or date.today()
    if value < EARLIEST_DATE or value > today + timedelta(days=1):
        raise ValidationError(
            f"Date de réception {fr_date(value)} impossible : entre le {fr_date(EARLIEST_DATE)} "
            "et aujourd'hui.", code="date")


def validate_no_nul(value: str) -> None:
    if "\x00" in value:
        raise ValidationError("Le texte contient un caractère nul (\\0), refusé.", code="null_characters")


def validate_line_count(count: int) -> None:
    if count > MAX_QUOTE_LINES:
        raise ValidationError(f"{count} lignes : un devis en compte {MAX_QUOTE_LINES} au plus.",
                              code="too_many_lines")


# --- the same checks as annotated types for the API's schemas ---------------------------
# Amounts and dates travel as strings matching exactly the pattern the OpenAPI document shows
# (a float is never exact; a number of seconds is not a date): what the schema allows is
# what is accepted, and the reverse.

def _as_pydantic(check: Callable[[Any], None]) -> Callable[[Any], Any]:
    def run(value: Any) -> Any:
        try:
            check(value)
        except ValidationError as exc:
            raise ValueError(" ".join(exc.messages)) from None
        return value
    return run


def _exactly(pattern: str, what: str) -> Callable[[Any], Any]:
    compiled = re.compile(pattern)

    def check(value: Any) -> Any:
        if isinstance(value, Decimal | date):
            return value  # from Python (an answer being checked), never from JSON
        if not isinstance(value, str) or not compiled.fullmatch(value):
            if what == "taux de TVA légal":
                _as_pydantic(validate_vat_rate)(value)  # names the legal rates
            raise ValueError(f"{what} attendu (chaîne, ex. « {_EXAMPLES[what]} »)")
        return value
    return check


def _string(pattern: str, what: str, description: str, **more: str) -> tuple[Any, ...]:
    return (BeforeValidator(_exactly(pattern, what)),
            WithJsonSchema({"type": "string", "pattern": pattern, "description": description,
                            "example": _EXAMPLES[what], **more}))


_EXAMPLES = {"montant": "1200.00", "montant positif": "1200.00", "quantité": "2.5",
             "taux de TVA légal": "20", "nombre d'heures": "7.5", "date AAAA-MM-JJ": "2026-03-16"}
# 0.01 to 9 999 999.99, two decimals at most.
MONEY_PATTERN = r"^(?:[1-9][0-9]{0,6}(?:\.[0-9]{1,2})?|0\.(?:0[1-9]|[1-9][0-9]?))$"
MONEY_OR_ZERO_PATTERN = r"^(?:0|[1-9][0-9]{0,6})(?:\.[0-9]{1,2})?$"
# 0.001 to 99 999.999.
QUANTITY_PATTERN = r"^(?:[1-9][0-9]{0,4}(?:\.[0-9]{1,3})?|0\.(?:[1-9][0-9]{0,2}|0[1-9][0-9]?|00[1-9]))$"
HOURS_PATTERN = r"^(?:0|[1-9][0-9]{0,3})(?:\.[0-9]{1,2})?$"
VAT_PATTERN = r"^(?:0(?:\.0{1,2})?|2\.10?|5\.50?|10(?:\.0{1,2})?|20(?:\.0{1,2})?)$"
# The years 2000 to 2099 (EARLIEST_DATE onwards); later bounds are business rules.
DATE_PATTERN = r"^20[0-9]{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])$"

VatRate = Annotated[Decimal, *_string(VAT_PATTERN, "taux de TVA légal",
                                      "Taux légal français en % : 0, 2.1, 5.5, 10 ou 20"),
                    AfterValidator(_as_pydantic(validate_vat_rate))]
# Strictly positive amounts (payments, credit notes) and amounts that may be zero (prices).
Money = Annotated[Decimal, *_string(MONEY_PATTERN, "montant positif",
                                    "Montant en euros, de 0.01 à 9999999.99")]
MoneyOrZero = Annotated[Decimal, *_string(MONEY_OR_ZERO_PATTERN, "montant",
                                          "Montant en euros, de 0 à 9999999.99")]
Quantity = Annotated[Decimal, *_string(QUANTITY_PATTERN, "quantité",
                                       "Quantité, de 0.001 à 99999.999")]
Hours = Annotated[Decimal, *_string(HOURS_PATTERN, "nombre d'heures", "Heures, de 0 à 9999.99")]
IsoDate = Annotated[date, *_string(DATE_PATTERN, "date AAAA-MM-JJ", "Date, années 2000 à 2099",
                                   format="date")]
BusinessDate = Annotated[IsoDate, AfterValidator(_as_pydantic(validate_date_in_range))]
ReceivedOn = BusinessDate  # not in the future: a business rule of payment_record (409)
_NO_NUL = {"pattern": "^[^\\x00]*$"}
Text = Annotated[str, Field(max_length=MAX_TEXT_LENGTH, json_schema_extra=_NO_NUL),
                 AfterValidator(_as_pydantic(validate_no_nul))]
ShortText = Annotated[str, Field(max_length=255, json_schema_extra=_NO_NUL),
                      AfterValidator(_as_pydantic(validate_no_nul))]
# List endpoints: a page of 1 to 500 items, an offset a database can hold.
Limit = Annotated[int, Field(ge=1, le=500)]
Offset = Annotated[int, Field(ge=0, le=1_000_000)]
