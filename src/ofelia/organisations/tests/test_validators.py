import pytest
from django.core.exceptions import ValidationError

from ofelia.organisations.validators import luhn_ok, validate_nda, validate_siret


@pytest.mark.parametrize("siret", ["91528650400013", "915 286 504 00013", "94952507500014", "35600000000001"])
def test_siret_valid_luhn_and_la_poste(siret):
    validate_siret(siret)


@pytest.mark.parametrize("siret", ["91528650400014", "9152865040001", "915286504000133", "9152865040001A", ""])
def test_siret_wrong_key_or_length_is_refused_in_french_terms(siret):
    with pytest.raises(ValidationError):
        validate_siret(siret)


def test_luhn_boundaries():
    assert luhn_ok("0") and luhn_ok("18") and not luhn_ok("19")


@pytest.mark.parametrize("nda", ["52490402749", "52 49 04027 49", "11910763291"])
def test_nda_eleven_digits(nda):
    validate_nda(nda)


@pytest.mark.parametrize("nda", ["5249040274", "524904027490", "5249040274X"])
def test_nda_not_eleven_digits_is_refused(nda):
    with pytest.raises(ValidationError):
        validate_nda(nda)
