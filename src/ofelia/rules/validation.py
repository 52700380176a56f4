"""Parsing a JSON case into typed values, with an error that names the field and says why.

The field path ("contract.price") is only spelt out when there is an error to report:
a valid case, the common one, costs no string building.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from ofelia.rules.errors import CaseError


def join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _at(path: str, key: str) -> str:
    """Where an error is: the field `key` of `path`, or `path` itself when no key is named."""
    return join(path, key) if key else path


def obj(value: Any, path: str) -> Mapping[str, Any]:
    if isinstance(value, dict):  # what JSON gives: spares the slower abstract Mapping check
        return value
    if not isinstance(value, Mapping):
        raise CaseError(path, "un objet JSON est attendu")
    return value


def array(value: Any, path: str) -> Sequence[Any]:
    if not isinstance(value, list):
        raise CaseError(path, "une liste JSON est attendue")
    return value


def reject_unknown(data: Mapping[str, Any], allowed: Collection[str], path: str) -> None:
    if type(allowed) is frozenset and data.keys() <= allowed:  # the usual answer, no set built
        return
    unknown = data.keys() - allowed
    if unknown:
        first = next(key for key in data if key in unknown)  # named in the case's order
        raise CaseError(join(path, first), "champ inconnu")


def _get(data: Mapping[str, Any], key: str, path: str, required: bool) -> Any:
    value = data.get(key)  # an absent field and a null one are the same: missing
    if value is None and required:
        raise CaseError(join(path, key), "champ obligatoire manquant")
    return value


def req_str(data: Mapping[str, Any], key: str, path: str) -> str:
    value = data.get(key)
    if type(value) is str and value and not value[0].isspace():  # surely not blank
        return value
    value = _get(data, key, path, True)
    if not isinstance(value, str) or not value.strip():
        raise CaseError(join(path, key), "une chaîne non vide est attendue")
    return value


def opt_str(data: Mapping[str, Any], key: str, path: str) -> str | None:
    if _get(data, key, path, False) is None:
        return None
    return req_str(data, key, path)


def _date(value: Any, path: str, key: str) -> date:
    if not isinstance(value, str):
        raise CaseError(join(path, key), "une date AAAA-MM-JJ est attendue")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CaseError(join(path, key), f"date invalide « {value} » (format AAAA-MM-JJ)") from None


def req_date(data: Mapping[str, Any], key: str, path: str) -> date:
    value = data.get(key)
    if type(value) is str:  # the usual: read at once; a bad date is named by _date below
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    return _date(_get(data, key, path, True), path, key)


def opt_date(data: Mapping[str, Any], key: str, path: str) -> date | None:
    return None if data.get(key) is None else req_date(data, key, path)


def parse_instant(value: Any, where: str) -> datetime:
    if not isinstance(value, str):
        raise CaseError(where, "un instant ISO 8601 avec décalage horaire est attendu")
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        raise CaseError(where, f"instant invalide « {value} » (ISO 8601 attendu)") from None
    if instant.tzinfo is None:
        raise CaseError(where, "l'instant doit porter son décalage horaire (ex. +01:00)")
    return instant


def req_instant(data: Mapping[str, Any], key: str, path: str) -> datetime:
    return parse_instant(_get(data, key, path, True), join(path, key))


def opt_instant(data: Mapping[str, Any], key: str, path: str) -> datetime | None:
    value = _get(data, key, path, False)
    return None if value is None else parse_instant(value, join(path, key))


_ZERO = Decimal(0)
# No amount, rate or hour count of a training case comes near it; beyond, the arithmetic of
# cents would overflow the decimal context (a price of "1e400" is refused, not computed).
DECIMAL_LIMIT = Decimal("1e12")


def _decimal(value: Any, path: str, key: str, minimum: Decimal | None) -> Decimal:
    # Amounts travel as strings; an integer is accepted, a float never (it is not exact).
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise CaseError(_at(path, key), "un nombre décimal en chaîne est attendu (ex. \"2400.00\")")
    try:
        number = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        raise CaseError(_at(path, key), f"nombre décimal invalide « {value} »") from None
    if not number.is_finite():
        raise CaseError(_at(path, key), f"nombre décimal invalide « {value} »")
    if abs(number) >= DECIMAL_LIMIT:
        raise CaseError(_at(path, key), f"nombre hors limites « {value} » (moins de 10^12)")
    if minimum is not None and number < minimum:
        raise CaseError(_at(path, key), f"doit être supérieur ou égal à {minimum}")
    return number


def parse_decimal(value: Any, where: str, *, minimum: Decimal | None = _ZERO) -> Decimal:
    return _decimal(value, where, "", minimum)


def req_decimal(
    data: Mapping[str, Any], key: str, path: str, *, minimum: Decimal | None = _ZERO
) -> Decimal:
    value = data.get(key)
    if type(value) is str:  # the usual amount: a finite number at or above the minimum
        try:
            number = Decimal(value)  # Decimal ignores surrounding spaces, as strip() would
        except InvalidOperation:
            pass  # _decimal names the error
        else:
            if number.is_finite() and abs(number) < DECIMAL_LIMIT and (minimum is None or number >= minimum):
                return number
    return _decimal(_get(data, key, path, True), path, key, minimum)


def opt_decimal(
    data: Mapping[str, Any], key: str, path: str, *, minimum: Decimal | None = _ZERO
) -> Decimal | None:
    if data.get(key) is None:
        return None
    return req_decimal(data, key, path, minimum=minimum)


def req_int(
    data: Mapping[str, Any], key: str, path: str, *, minimum: int | None = None,
    maximum: int | None = None, rule: str | None = None,
) -> int:
    value = _get(data, key, path, True)
    where = join(path, key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise CaseError(where, "un entier est attendu")
    if minimum is not None and value < minimum:
        raise CaseError(where, f"doit être au moins {minimum}", rule)
    if maximum is not None and value > maximum:
        raise CaseError(where, f"doit être au plus {maximum}", rule)
    return int(value)


def opt_int(
    data: Mapping[str, Any], key: str, path: str, *, minimum: int | None = None,
    maximum: int | None = None, rule: str | None = None,
) -> int | None:
    if _get(data, key, path, False) is None:
        return None
    return req_int(data, key, path, minimum=minimum, maximum=maximum, rule=rule)


def req_bool(data: Mapping[str, Any], key: str, path: str) -> bool:
    value = data.get(key)
    if value is True or value is False:
        return value
    value = _get(data, key, path, True)
    if not isinstance(value, bool):
        raise CaseError(join(path, key), "true ou false est attendu")
    return value


def opt_bool(data: Mapping[str, Any], key: str, path: str, default: bool = False) -> bool:
    value = data.get(key)
    if value is None:
        return default
    return value if value is True or value is False else req_bool(data, key, path)


def req_enum(data: Mapping[str, Any], key: str, path: str, choices: Collection[str]) -> str:
    value = data.get(key)
    if isinstance(value, str) and value in choices:  # a valid value: nothing more to check
        return value
    value = req_str(data, key, path)
    if value not in choices:
        allowed = ", ".join(sorted(choices))
        raise CaseError(join(path, key), f"valeur « {value} » inconnue (attendu : {allowed})")
    return value


def opt_enum(
    data: Mapping[str, Any], key: str, path: str, choices: Collection[str]
) -> str | None:
    if _get(data, key, path, False) is None:
        return None
    return req_enum(data, key, path, choices)
