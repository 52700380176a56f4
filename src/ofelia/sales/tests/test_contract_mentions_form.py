"""D6353-1 / L6353-4: every mandatory mention checked at signature can be filled — on the
contract's edit form, prefilled from the policy's clauses — and the contract page says what
is still missing before signature."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from django.test import Client

from ofelia.core import clock
from ofelia.organisations.models import ClientCompany, Organisation
from ofelia.sales import services
from ofelia.sales.documents import MENTION_FIELDS, MENTIONS_ELSEWHERE
from ofelia.sales.forms import ContractForm
from ofelia.sales.mentions import CONTRAT_MENTIONS, CONVENTION_MENTIONS
from ofelia.sales.models import Contract

from .conftest import DOCUMENT_FIELDS, make_organisation, make_session, make_user


@pytest.mark.parametrize("mention", [*CONVENTION_MENTIONS, *CONTRAT_MENTIONS],
                         ids=lambda m: m.key)
def test_d6353_1_every_checked_mention_has_a_place_to_be_filled(mention: Any) -> None:
    fields = MENTION_FIELDS.get(mention.key)
    assert fields or mention.key in MENTIONS_ELSEWHERE
    assert all(name in ContractForm.base_fields for name in fields or ())


def _web(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _form_data(contract: Contract) -> dict[str, Any]:
    values = {name: getattr(contract, name) for name in ContractForm.base_fields}
    return {name: "" if value is None else value for name, value in values.items()}


def _laporte_draft(db: Any) -> tuple[Any, Contract]:
    org = make_organisation("laporte", "laporte")
    staff = make_user(org, "staff")
    company = ClientCompany.objects.create(organisation=org, name="Studio Lumière",
                                           siret="73282932000074", address_line1="2 rue Neuve",
                                           postal_code="75011", city="Paris")
    session = make_session(org, start=date(2026, 3, 31), price="1490.00", hours="20")
    with clock.frozen(datetime(2026, 3, 1, 9, 0)):
        contract = services.contract_create(actor=staff, organisation=org, session=session,
                                            client_company=company, **DOCUMENT_FIELDS)
    return staff, contract


def test_d6353_1_laporte_convention_payment_terms_filled_on_the_form_then_signed(db: Any) -> None:
    staff, contract = _laporte_draft(db)
    # LA PORTE's terms have no clause on a company's payment: nothing to prefill.
    assert contract.payment_terms == ""
    web = _web(staff)
    with clock.frozen(datetime(2026, 3, 1, 9, 0)):
        page = web.get(f"/ventes/contrats/{contract.pk}/").content.decode()
        assert "modalités de règlement (Code du travail D6353-1, I, 2°)" in page
        assert f"/ventes/contrats/{contract.pk}/modifier/#id_payment_terms" in page
        refused = web.post(f"/ventes/contrats/{contract.pk}/signer/",
                           {"accepted_by_name": "Studio Lumière", "method": "signed_document"},
                           follow=True).content.decode()
        assert "mention obligatoire manquante" in refused
        contract.refresh_from_db()
        assert contract.status == Contract.Status.DRAFT
        form = web.get(f"/ventes/contrats/{contract.pk}/modifier/").content.decode()
        assert 'id="id_payment_terms"' in form and "Modalités de règlement" in form
        # Proposed from LA PORTE's clauses that apply to a company (staff review it).
        assert "Paiement en ligne à la commande" in form and "(CGV, art. 6)" in form
        assert "relisez-les avant d'enregistrer" in form
        data = _form_data(contract)
        data.update(payment_terms="Virement à 30 jours fin de mois à réception de la facture.",
                    start_date="2026-03-31", end_date="2026-03-31")
        saved = web.post(f"/ventes/contrats/{contract.pk}/modifier/", data)
        assert saved.status_code == 302
        page = web.get(f"/ventes/contrats/{contract.pk}/").content.decode()
        assert "Toutes les mentions obligatoires sont présentes" in page
        web.post(f"/ventes/contrats/{contract.pk}/signer/",
                 {"accepted_by_name": "Studio Lumière", "method": "signed_document"})
    contract.refresh_from_db()
    assert contract.status == Contract.Status.SIGNED
    assert contract.payment_terms.startswith("Virement à 30 jours")


def test_d6353_1_edit_form_errors_in_french_change_nothing(db: Any) -> None:
    staff, contract = _laporte_draft(db)
    data = _form_data(contract)
    data.update(start_date="2026-03-31", end_date="2026-03-30", price="abc", title="")
    with clock.frozen(datetime(2026, 3, 1, 9, 0)):
        response = _web(staff).post(f"/ventes/contrats/{contract.pk}/modifier/", data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Fin : la date de fin précède la date de début." in body
    assert "Intitulé de l&#x27;action : champ obligatoire." in body
    assert "Prix HT (€) : valeur invalide." in body
    contract.refresh_from_db()
    assert contract.title and contract.end_date == date(2026, 3, 31)


def test_d6353_1_payment_terms_prefilled_from_the_clause_of_the_client_kind(
    org: Organisation, admin: Any, company: Any,
) -> None:
    session = make_session(org, start=date(2026, 3, 16))
    with clock.frozen(datetime(2026, 2, 1, 9, 0)):
        contract = services.contract_create(actor=admin, organisation=org, session=session,
                                            client_company=company)
    # DIXNEUF's PAY-D2 (professional clients) and not PAY-D1 (consumers).
    assert "(CGV" in contract.payment_terms or "art." in contract.payment_terms
    policy_text = contract.payment_terms
    assert "PAY-D1" not in policy_text


def test_d6353_1_workforce_cannot_drop_below_the_named_learners(
    org: Organisation, admin: Any, company: Any,
) -> None:
    from ofelia.catalogue.seats import enrolment_create

    from .conftest import make_learner

    session = make_session(org, start=date(2026, 3, 16))
    with clock.frozen(datetime(2026, 2, 1, 9, 0)):
        enrolments = [enrolment_create(actor=admin, organisation=org, session=session,
                                       learner=make_learner(org, company=company))
                      for _ in range(2)]
        contract = services.contract_create(actor=admin, organisation=org, session=session,
                                            client_company=company, enrolments=enrolments)
        data = _form_data(contract)
        data.update(workforce="1", start_date="2026-03-16", end_date="2026-03-16")
        response = _web(admin).post(f"/ventes/contrats/{contract.pk}/modifier/", data)
    assert response.status_code == 200
    assert "Effectif : au moins 2 stagiaire(s), 2 étant nommé(s) sur le contrat." in (
        response.content.decode())
    contract.refresh_from_db()
    assert contract.workforce == 2
