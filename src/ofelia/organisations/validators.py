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
