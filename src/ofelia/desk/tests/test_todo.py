"""The staff home's to-do list: each heading lists what its app says is pending, for this
organisation only, and stops listing it once done."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from ofelia.core import audit, clock
from ofelia.desk import todo
from ofelia.organisations.models import ClientCompany, Role
from ofelia.sales import services as sales
from ofelia.sales.tests.conftest import make_contract, make_organisation, make_session, make_user

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 10)


def _company(org: Any) -> ClientCompany:
    return ClientCompany.objects.create(organisation=org, name="Acme Industrie", siret="73282932000074",
                                        address_line1="3 avenue des Lilas", postal_code="69003",
                                        city="Lyon", email="rh@acme.example")


def _by_key(org: Any) -> dict[str, todo.Todo]:
    with clock.frozen(datetime(2026, 3, 10, 9, 0)):
        return {t.key: t for t in todo.staff_todo(organisation=org, today=TODAY)}


def test_unsigned_contract_of_a_coming_session_is_listed_until_signed() -> None:
    org = make_organisation()
    admin = make_user(org)
    with clock.frozen(datetime(2026, 3, 1, 9, 0)):
        contract = make_contract(org, admin, client=_company(org), sign=False,
                                 session=make_session(org, start=date(2026, 3, 14)))
    unsigned = _by_key(org)["unsigned"]
    assert unsigned.count == 1 and contract.number in unsigned.rows[0].text
    assert unsigned.rows[0].urgent and "début le 14/03/2026" in unsigned.rows[0].note
    with clock.frozen(datetime(2026, 3, 10, 9, 0)):
        sales.contract_sign(actor=admin, contract=contract, accepted_by_name="Claire", method="signed_document")
    assert _by_key(org)["unsigned"].count == 0


def test_session_within_7_days_without_convocations_is_listed_until_they_are_sent() -> None:
    org = make_organisation()
    admin = make_user(org)
    session = make_session(org, start=date(2026, 3, 17))  # 7 days ahead: the boundary is in
    later = make_session(org, start=date(2026, 3, 18))    # 8 days ahead: not yet
    with clock.frozen(datetime(2026, 3, 1, 9, 0)):
        company = _company(org)
        contract = make_contract(org, admin, client=company, session=session)
        make_contract(org, admin, client=company, session=later)
    convocations = _by_key(org)["convocations"]
    assert convocations.count == 1 and "17/03/2026" in convocations.rows[0].text
    # What `convocation_send` records once the convocations are queued.
    audit.record(actor=admin, action="contract.convocations_send", organisation=org, obj=contract,
                 after={"learners": []})
    assert _by_key(org)["convocations"].count == 0


def test_opco_agreement_missing_names_the_deadline_and_its_rule() -> None:
    org = make_organisation()
    admin = make_user(org)
    with clock.frozen(datetime(2026, 1, 12, 9, 0)):
        make_contract(org, admin, client=_company(org), session=make_session(org, start=date(2026, 4, 20)),
                      funding=[{"payer": "opco", "amount": Decimal("1500.00")}])
    opco = _by_key(org)["opco"]
    assert opco.count == 1
    assert "accord attendu au plus tard le" in opco.rows[0].note and "FUN-" in opco.rows[0].note


def test_staff_home_shows_the_todo_list_of_its_own_organisation_only() -> None:
    org, other = make_organisation(), make_organisation("formagogy", "formagogy")
    admin, other_admin = make_user(org), make_user(other, Role.STAFF)
    with clock.frozen(datetime(2026, 3, 1, 9, 0)):
        contract = make_contract(org, admin, client=_company(org), sign=False,
                                 session=make_session(org, start=date(2026, 3, 14)))
    web = Client()
    with clock.frozen(datetime(2026, 3, 10, 9, 0)):
        web.force_login(admin)
        page = web.get("/gestion/").content.decode()
        assert "À faire" in page and contract.number in page and "Chiffre d'affaires du mois" in page
        for title in ("Devis à relancer", "Conventions et contrats à faire signer", "Accords OPCO attendus",
                      "Factures en retard", "Demandes à traiter"):
            assert title in page
        web.force_login(other_admin)
        assert contract.number not in web.get("/gestion/").content.decode()


def test_overdue_invoice_is_listed_with_what_is_late_and_since_when() -> None:
    from ofelia.billing.services import invoice_create_draft, invoice_issue
    from ofelia.billing.tests.conftest import draft_fields
    from ofelia.billing.tests.conftest import make_organisation as billing_organisation

    org = billing_organisation()
    admin = make_user(org)
    draft = invoice_create_draft(actor=admin, organisation=org, **draft_fields())
    invoice = invoice_issue(actor=admin, invoice=draft, issue_date=date(2026, 1, 5))
    due = invoice.due_date
    on_time = todo.invoices_overdue(organisation=org, today=due)
    assert on_time.count == 0
    late = todo.invoices_overdue(organisation=org, today=date.fromordinal(due.toordinal() + 3))
    assert late.count == 1 and invoice.number in late.rows[0].text
    assert "1\u00a0200,00\u00a0€ en retard de 3 jours" in late.rows[0].note


def test_client_sees_its_overdue_invoice_as_overdue_with_days_late() -> None:
    from ofelia.billing.services import invoice_create_draft, invoice_issue
    from ofelia.billing.tests.conftest import draft_fields
    from ofelia.billing.tests.conftest import make_organisation as billing_organisation

    org = billing_organisation()
    company = ClientCompany.objects.create(organisation=org, name="Ateliers Martin SARL", siret="35600000000048")
    contact = make_user(org, Role.CLIENT_CONTACT, company=company)
    draft = invoice_create_draft(actor=None, organisation=org, client_company=company, **draft_fields())
    invoice = invoice_issue(actor=None, invoice=draft, issue_date=date(2026, 1, 5))
    web = Client()
    web.force_login(contact)
    with clock.frozen(datetime.combine(invoice.due_date, datetime.min.time()).replace(hour=12)):
        assert "en retard" not in web.get("/espace/factures/").content.decode()
    later = date.fromordinal(invoice.due_date.toordinal() + 10)
    with clock.frozen(datetime.combine(later, datetime.min.time()).replace(hour=12)):
        page = web.get("/espace/factures/").content.decode()
    assert "en retard de 10 jours" in page
    assert "Paiement en plusieurs fois" not in page  # DIXNEUF's terms offer no instalments
