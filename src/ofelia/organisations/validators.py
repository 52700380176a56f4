"""French business identifiers."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def luhn_ok(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def normalise_digits(value: str) -> str:
    return "".join(value.split()).replace(".", "")


def validate_siret(value: str) -> None:
    digits = normalise_digits(value)
    if len(digits) != 14 or not digits.isdigit():
        raise ValidationError(_("A SIRET number has 14 digits."), code="siret_length")
    # La Poste's establishments (SIREN 356000000) follow a different checksum.
    if digits.startswith("356000000"):
        if sum(int(c) for c in digits) % 5 != 0:
            raise ValidationError(_("This SIRET number is not valid (check digit)."), code="siret_key")
        return
    if not luhn_ok(digits):
        raise ValidationError(_("This SIRET number is not valid (check digit)."), code="siret_key")


def validate_nda(value: str) -> None:
    digits = normalise_digits(value)
    if len(digits) != 11 or not digits.isdigit():
        raise ValidationError(
            _("The activity declaration number (NDA) has 11 digits."), code="nda_length"
        )


def validate_phone(value: str) -> None:
    digits = "".join(c for c in value if c.isdigit())
    if len(digits) < 9 or len(digits) > 15:
        raise ValidationError(_("Enter a valid phone number."), code="phone")


# Length of the IBAN per country (ISO 13616 registry) for the SEPA area; others: 15 to 34.
IBAN_LENGTHS = {
    "AD": 24, "AT": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24, "DE": 22, "DK": 18,
    "EE": 20, "ES": 24, "FI": 18, "FR": 27, "GB": 22, "GI": 23, "GR": 27, "HR": 21, "HU": 28,
    "IE": 22, "IS": 26, "IT": 27, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MT": 31,
    "NL": 18, "NO": 15, "PL": 28, "PT": 25, "RO": 24, "SE": 24, "SI": 19, "SK": 24, "SM": 27,
    "VA": 22,
}


def iban_ok(value: str) -> bool:
    """ISO 13616: country, two check digits, then the account; mod 97 of the rearranged
    number is 1."""
    iban = "".join(value.split()).upper()
    if not (15 <= len(iban) <= 34) or not iban.isascii() or not iban.isalnum():
        return False
    if not (iban[:2].isalpha() and iban[2:4].isdigit()):
        return False
    if IBAN_LENGTHS.get(iban[:2], len(iban)) != len(iban):
        return False
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


def validate_iban(value: str) -> None:
    if not iban_ok(value):
        raise ValidationError(
            "Cet IBAN n'est pas valide : vérifiez le pays, la longueur et la clé "
            "(par exemple FR76 3000 6000 0112 3456 7890 189).", code="iban")


def validate_bic(value: str) -> None:
    bic = "".join(value.split()).upper()
    valid = (len(bic) in (8, 11) and bic.isascii() and bic.isalnum() and bic[:4].isalpha()
             and bic[4:6].isalpha())
    if not valid:
        raise ValidationError("Ce BIC n'est pas valide : 8 ou 11 caractères, par exemple BNPAFRPPXXX.",
                              code="bic")
