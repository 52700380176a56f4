"""The extranet tells the truth (issue 10): convocations for every role that should see them,
the organisation's contact on the training pages, prices VAT included for consumers, and
French agreement with the document (« Convention … créée / signée »)."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.test import Client

from ofelia.core import clock
from ofelia.organisations.models import Role
from ofelia.sales import services
from ofelia.sales.mentions import CONVENTION, MissingMention, mentions_for

from .conftest import make_contract, make_learner, make_session, make_user


def _web(user: Any) -> Client:
    web = Client()
    web.force_login(user)
    return web


def _plain(text: str) -> str:
    return re.sub(r"[\s\u00a0\u202f]+", " ", text)


def _convention_with_two_learners(org: Any, admin: Any, company: Any) -> tuple[Any, Any, Any]:
    session = make_session(org, start=date(2026, 3, 16))
    anne = make_learner(org, company=company, first_name="Anne", last_name="Leroy",
                        user=make_user(org, Role.LEARNER, company=company))
    marc = make_learner(org, company=company, first_name="Marc", last_name="Petit")
    with clock.frozen(datetime(2026, 1, 12, 10, 0)):
        enrolments = [services.enrolment_create(actor=admin, organisation=org, session=session,
                                                learner=lr) for lr in (anne, marc)]
        contract = make_contract(org, admin, client=company, session=session,
                                 enrolments=enrolments, workforce=2, vat_rate=Decimal("20"))
    return contract, anne, marc


def test_client_contact_downloads_each_learners_convocation_learner_only_their_own(
    org: Any, admin: Any, company: Any
) -> None:
    contract, anne, marc = _convention_with_two_learners(org, admin, company)
    contact = _web(make_user(org, Role.CLIENT_CONTACT, company=company))
    with clock.frozen(datetime(2026, 2, 1, 9, 0)):
        page = contact.get("/espace/formations/").content.decode()
        assert f"?stagiaire={marc.pk}" in page and "convocation de Anne Leroy" in page
        for learner in (anne, marc):
            pdf = contact.get(f"/espace/formations/{contract.pk}/convocation.pdf?stagiaire={learner.pk}")
            assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
        assert contact.get(f"/espace/formations/{contract.pk}/convocation.pdf?stagiaire=999999"
                           ).status_code == 404
        learner_web = _web(anne.user)
        assert learner_web.get(f"/espace/formations/{contract.pk}/convocation.pdf").status_code == 200
        # a learner's own only: asking for a colleague's still gives their own
        own = learner_web.get(f"/espace/formations/{contract.pk}/convocation.pdf?stagiaire={marc.pk}")
        assert "Leroy" in own["Content-Disposition"]


def test_extranet_pages_name_the_organisation_with_address_phone_and_email(
    org: Any, admin: Any, company: Any
) -> None:
    org.phone = "01 23 45 67 89"
    org.save()
    _convention_with_two_learners(org, admin, company)
    contact = _web(make_user(org, Role.CLIENT_CONTACT, company=company))
    with clock.frozen(datetime(2026, 2, 1, 9, 0)):
        for url in ("/espace/formations/", "/espace/devis/"):
            page = contact.get(url).content.decode()
            assert "Votre formation est organisée par <strong>Organisme dixneuf</strong>" in page
            assert "1 rue de la Paix" in page and "01 23 45 67 89" in page
            assert "contact@dixneuf.example" in page


def test_consumer_reads_prices_vat_included_company_excluding_vat(
    org: Any, admin: Any, company: Any, consumer: Any
) -> None:
    user = make_user(org, Role.CONSUMER)
    consumer.user = user
    consumer.save()
    with clock.frozen(datetime(2026, 1, 12, 10, 0)):
        make_contract(org, admin, client=consumer, vat_rate=Decimal("20"))
    with clock.frozen(datetime(2026, 2, 1, 9, 0)):
        page = _plain(_web(user).get("/espace/formations/").content.decode())
    assert "Prix : 2 880,00 € TTC" in page and "HT" not in page.split("Prix :")[1][:30]
    _convention_with_two_learners(org, admin, company)
    contact = _web(make_user(org, Role.CLIENT_CONTACT, company=company))
    with clock.frozen(datetime(2026, 2, 1, 9, 0)):
        page = _plain(contact.get("/espace/formations/").content.decode())
    assert "Prix : 4 800,00 € HT, TVA 960,00 €" in page  # two seats of an inter training


def test_d6353_1_french_agreement_with_the_document_kind(org: Any, admin: Any, company: Any,
                                                          consumer: Any) -> None:
    contract, _anne, _marc = _convention_with_two_learners(org, admin, company)
    assert contract.status_label == "signée"
    message = str(MissingMention(CONVENTION, mentions_for(CONVENTION)[:2]))
    assert message.startswith("La convention de formation ne peut pas être émise : mentions "
                              "obligatoires manquantes")
    staff = _web(admin)
    page = staff.get(f"/ventes/contrats/{contract.pk}/").content.decode()
    assert "(signée)" in page and "Créée le" in page
    with clock.frozen(datetime(2026, 1, 12, 10, 0)):
        draft = make_contract(org, admin, client=consumer, sign=False)
        response = staff.post(f"/ventes/contrats/{draft.pk}/signer/",
                              {"accepted_by_name": "Paul Durand", "method": "signed_document"},
                              follow=True)
    assert f"Contrat {draft.number} signé" in response.content.decode()


def test_l112_1_consumer_contrat_and_shop_print_prices_vat_included(
    org: Any, admin: Any, consumer: Any
) -> None:
    from ofelia.sales.documents import document_values

    with clock.frozen(datetime(2026, 1, 12, 10, 0)):
        contrat = make_contract(org, admin, client=consumer, vat_rate=Decimal("20"), sign=False)
    assert _plain(document_values(contrat)["price"]) == (
        "2 880,00 € TTC, dont TVA 20 % : 480,00 € (2 400,00 € HT)")
