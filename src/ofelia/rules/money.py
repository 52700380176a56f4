"""Exact money: Decimal only, half-up to the cent at the end of each computed line."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
HUNDRED = Decimal(100)

# French typography: thousands grouped by a no-break space, a no-break space before "€",
# so that an amount is never split across two lines in the UI or a PDF.
_NBSP = "\u00a0"


def D(x: str | int | Decimal) -> Decimal:
    """An exact Decimal from a string, an int or a Decimal; a float is refused (it is not exact)."""
    if isinstance(x, Decimal):  # the common case first: values already exact
        value = x
    elif isinstance(x, bool) or isinstance(x, float):
        raise TypeError(f"montant inexact refusé ({x!r}) : utiliser une chaîne ou un Decimal")
    elif isinstance(x, int):
        value = Decimal(x)
    elif isinstance(x, str):
        try:
            value = Decimal(x.strip())
        except InvalidOperation:
            raise ValueError(f"nombre décimal invalide « {x} »") from None
    else:
        raise TypeError(f"type de montant non pris en charge : {type(x).__name__}")
    if not value.is_finite():
        raise ValueError(f"nombre décimal invalide « {x} »")
    return value


def cents(x: str | int | Decimal) -> Decimal:
    """Round to the cent, half-up (0.005 → 0.01, -0.005 → -0.01)."""
    if isinstance(x, Decimal) and x.is_finite():  # computed amounts: skip D's checks
        return x.quantize(CENT, ROUND_HALF_UP)  # positional: keywords cost a C argument parse
    return D(x).quantize(CENT, ROUND_HALF_UP)


def percent_of(amount: str | int | Decimal, percent: str | int | Decimal) -> Decimal:
    """`percent` % of `amount`, rounded to the cent once, at the end."""
    return cents(D(amount) * D(percent) / HUNDRED)


def split_instalments(total: str | int | Decimal, count: int) -> tuple[Decimal, ...]:
    """Equal instalments in whole cents; the cent remainder goes on the FIRST one (PAY-L1)."""
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ValueError(f"nombre d'échéances invalide : {count!r}")
    amount = cents(total)
    if amount < 0:
        raise ValueError(f"montant négatif : {amount}")
    total_cents = int(amount.scaleb(2))
    base, remainder = divmod(total_cents, count)
    # scaleb(-2) turns a count of cents into the amount with exactly two decimals (what
    # cents() would give), without a division and a rounding per instalment.
    others = Decimal(base).scaleb(-2)
    return (Decimal(base + remainder).scaleb(-2), *([others] * (count - 1)))


# fmt_eur's texts by Decimal value: a case writes the same amounts (its price, a deposit)
# in several sentences, and a lookup costs a twentieth of the formatting. Only Decimals
# are kept (a float equal to a Decimal must still be refused), and only so many.
_EUR_TEXTS: dict[Decimal, str] = {}
_EUR_TEXTS_KEPT = 20_000


def fmt_eur(x: str | int | Decimal) -> str:
    """French display of an amount: "1 200,00 €" (no-break spaces), "-12,50 €"."""
    if type(x) is Decimal:
        try:
            return _EUR_TEXTS[x]
        except (KeyError, TypeError):  # not written yet, or a signalling NaN (unhashable)
            pass
        text = _fmt_eur(x)  # raises for a NaN or an infinity: never kept
        if len(_EUR_TEXTS) >= _EUR_TEXTS_KEPT:
            _EUR_TEXTS.clear()
        _EUR_TEXTS[x] = text
        return text
    return _fmt_eur(x)


def _fmt_eur(x: str | int | Decimal) -> str:
    text = cent_text(cents(x))
    if text[0] == "-":
        sign, text = ("-" if text != "-0.00" else ""), text[1:]  # -0.00 shows as "0,00 €"
    else:
        sign = ""
    units, fraction = text[:-3], text[-2:]
    if len(units) > 3:  # thousands grouped from the right: "1 234 567"
        head = len(units) % 3 or 3
        units = _NBSP.join([units[:head]] + [units[i:i + 3] for i in range(head, len(units), 3)])
    return f"{sign}{units},{fraction}{_NBSP}€"


_CENT_TEXTS: dict[Decimal, str] = {}


def cents_text(x: Decimal) -> str:
    """"1234.50": `x` rounded to the cent, as the outcome JSON writes amounts; kept by
    value once written, like fmt_eur's texts."""
    if type(x) is not Decimal:
        return cent_text(cents(x))
    try:
        return _CENT_TEXTS[x]
    except (KeyError, TypeError):  # not written yet, or a signalling NaN (unhashable)
        pass
    text = cent_text(cents(x))  # raises for a NaN or an infinity: never kept
    if len(_CENT_TEXTS) >= _EUR_TEXTS_KEPT:
        _CENT_TEXTS.clear()
    _CENT_TEXTS[x] = text
    return text


def cent_text(amount: Decimal) -> str:
    """"1234.50" for an amount already rounded to the cent. str() writes a Decimal of
    exponent -2 in plain notation, exactly as format ".2f" would, at a fraction of the cost."""
    return str(amount)
