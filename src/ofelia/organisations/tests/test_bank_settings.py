"""Issue 10 item 2: the organisation's bank account (IBAN checked) and its delay to pay an
online order, set by an administrator on the settings page."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from ofelia.core.models import AuditEntry
from ofelia.organisations.models import Role
from ofelia.organisations.testing import make_member, member_client
from ofelia.organisations.validators import iban_ok, validate_bic, validate_iban

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("iban", ["FR76 3000 6000 0112 3456 7890 189", "fr7630004001230000000100350",
                                  "DE89370400440532013000", "BE68539007547034"])
def test_valid_iban_is_accepted_with_spaces_and_lower_case(iban: str) -> None:
    assert iban_ok(iban)
    validate_iban(iban)


@pytest.mark.parametrize("iban", ["FR7630006000011234567890188",  # wrong key
                                  "FR763000600001123456789018",  # one digit short for France
                                  "FR76 3000 6000 0112 3456 7890 18é", "76FR", "", "X" * 40])
def test_invalid_iban_is_refused_in_french(iban: str) -> None:
    assert not iban_ok(iban)
    with pytest.raises(ValidationError, match="IBAN n'est pas valide"):
        validate_iban(iban)


def test_bic_has_8_or_11_characters() -> None:
    validate_bic("BNPAFRPP")
    validate_bic("bnpa frpp xxx")
    with pytest.raises(ValidationError, match="BIC n'est pas valide"):
        validate_bic("BNP1FRPP")


_web = member_client


FORM = {"email": "compta@org-a.test", "phone": "01 23 45 67 89", "website": "",
        "bank_account_holder": "Organisme A", "iban": "fr76 3000 4001 2300 0000 0100 350",
        "bic": "bnpafrppxxx", "order_payment_days": "10"}


def test_administrator_sets_the_bank_account_and_the_order_delay_audited(org_a: Any, admin_a: Any) -> None:
    web = _web(admin_a, org_a)
    assert web.get("/organisme/parametres/").status_code == 200
    response = web.post("/organisme/parametres/", FORM, follow=True)
    assert "Paramètres de l'organisme enregistrés" in response.content.decode().replace("&#x27;", "'")
    org_a.refresh_from_db()
    assert (org_a.iban, org_a.bic, org_a.order_payment_days) == (
        "FR7630004001230000000100350", "BNPAFRPPXXX", 10)
    assert org_a.iban_display == "FR76 3000 4001 2300 0000 0100 350" and org_a.takes_transfers
    entry = AuditEntry.objects.filter(action="organisation.update").latest("id")
    assert entry.after["iban"] == "FR7630004001230000000100350" and entry.before["iban"] == ""


def test_bad_iban_or_a_missing_bic_is_a_french_error_and_changes_nothing(org_a: Any, admin_a: Any) -> None:
    web = _web(admin_a, org_a)
    bad = web.post("/organisme/parametres/", {**FORM, "iban": "FR7630004001230000000100351"})
    assert bad.status_code == 200 and "IBAN n&#x27;est pas valide" in bad.content.decode()
    alone = web.post("/organisme/parametres/", {**FORM, "bic": ""})
    assert "renseignez l&#x27;IBAN et le BIC" in alone.content.decode()
    too_long = web.post("/organisme/parametres/", {**FORM, "order_payment_days": "0"})
    assert too_long.status_code == 200
    org_a.refresh_from_db()
    assert org_a.iban == "" and org_a.order_payment_days == 7


@pytest.mark.parametrize("role", [Role.STAFF, Role.CONSUMER, Role.TRAINER])
def test_only_an_administrator_reaches_the_settings(org_a: Any, role: str) -> None:
    web = _web(make_member(org_a, role), org_a)
    assert web.get("/organisme/parametres/").status_code == 403
    assert web.post("/organisme/parametres/", FORM).status_code == 403
