"""Staff forms: quote with htmx lines, contract from a roster enrolment, convocations from
the roster, quotes in the API; organisation B never sees A's quotes."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core import mail
from django.test import Client

from ofelia.core import clock
from ofelia.organisations.models import Role
from ofelia.sales import services
from ofelia.sales.models import Contract, Quote

from .conftest import DOCUMENT_FIELDS, make_learner, make_organisation, make_session, make_user

TODAY = datetime(2026, 2, 2, 9, 0)


def _web(user: Any) -> Client:
    web = Client()
    web.force_login(user)
    return web


def test_quote_form_with_two_lines_and_htmx_row(org: Any, admin: Any, company: Any) -> None:
    web = _web(admin)
    with clock.frozen(TODAY):
        row = web.get("/ventes/devis/ligne/?index=1", HTTP_HX_REQUEST="true").content.decode()
        assert 'name="lines-1-description"' in row and 'name="lines-1-unit_price"' in row
        response = web.post("/ventes/devis/nouveau/", {
            "client_company": company.pk, "valid_until": "2026-03-02", "vat_rate": "0",
            "lines-TOTAL_FORMS": "2", "lines-INITIAL_FORMS": "0", "lines-MIN_NUM_FORMS": "1",
            "lines-MAX_NUM_FORMS": "1000",
            "lines-0-description": "Formation management, 3 jours", "lines-0-quantity": "2",
            "lines-0-unit_price": "1200.00",
            "lines-1-description": "Support imprimé", "lines-1-quantity": "2",
            "lines-1-unit_price": "15.50",
        })
    assert response.status_code == 302
    quote = Quote.objects.get()
    assert quote.total_excl_vat() == Decimal("2431.00") and quote.lines.count() == 2


def test_quote_form_refuses_two_clients_and_expired_validity(org: Any, admin: Any, company: Any,
                                                             consumer: Any) -> None:
    web = _web(admin)
    lines = {"lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0", "lines-MIN_NUM_FORMS": "1",
             "lines-MAX_NUM_FORMS": "1000", "lines-0-description": "X", "lines-0-quantity": "1",
             "lines-0-unit_price": "10"}
    with clock.frozen(TODAY):
        both = web.post("/ventes/devis/nouveau/", {"client_company": company.pk, "consumer": consumer.pk,
                                                   "valid_until": "2026-03-02", "vat_rate": "0", **lines})
        expired = web.post("/ventes/devis/nouveau/", {"client_company": company.pk,
                                                      "valid_until": "2026-01-02", "vat_rate": "0",
                                                      **lines}, follow=True)
    assert "une entreprise ou un particulier" in both.content.decode()
    assert "validité est déjà passée" in expired.content.decode()
    assert not Quote.objects.exists()


def test_quote_send_accept_convert_through_the_pages(org: Any, admin: Any, company: Any) -> None:
    session = make_session(org, start=date(2026, 3, 16))
    with clock.frozen(TODAY):
        quote = services.quote_create(actor=admin, organisation=org, client_company=company,
                                      session=session, valid_until=date(2026, 3, 2),
                                      lines=[{"description": "Formation", "unit_price": Decimal("2400")}])
        web = _web(admin)
        web.post(f"/ventes/devis/{quote.pk}/send/")
        web.post(f"/ventes/devis/{quote.pk}/accept/", {"accepted_by_name": "Claire Martin",
                                                       "method": "signed_quote"})
        converted = web.post(f"/ventes/devis/{quote.pk}/convert/")
    contract = Contract.objects.get(quote=quote)
    assert converted["Location"] == f"/ventes/contrats/{contract.pk}/"
    assert contract.price == Decimal("2400.00") and contract.status == Contract.Status.DRAFT


def test_contract_from_a_roster_enrolment_and_convocation_sent_from_the_roster(
    org: Any, admin: Any, company: Any, django_capture_on_commit_callbacks: Any
) -> None:
    session = make_session(org, start=date(2026, 3, 16))
    enrolment = services.enrolment_create(actor=admin, organisation=org, session=session,
                                          learner=make_learner(org, company=company))
    web = _web(admin)
    with clock.frozen(TODAY):
        roster = web.get(f"/ventes/sessions/{session.pk}/").content.decode()
        assert "Établir la convention<" in roster
        created = web.post(f"/ventes/inscriptions/{enrolment.pk}/contrat/")
    contract = Contract.objects.get()
    assert created["Location"] == f"/ventes/contrats/{contract.pk}/"
    assert contract.kind == "convention" and contract.client_company == company
    assert list(contract.enrolments.all()) == [enrolment]
    with clock.frozen(TODAY):
        services.contract_update(actor=admin, contract=contract, **DOCUMENT_FIELDS)
        services.contract_sign(actor=admin, contract=contract, accepted_by_name="Acme",
                               method="signed_document")
        roster = web.get(f"/ventes/sessions/{session.pk}/").content.decode()
        assert "Envoyer la convocation" in roster
        with django_capture_on_commit_callbacks(execute=True):
            response = web.post(f"/ventes/sessions/{session.pk}/convocations/", follow=True)
    assert "1 convocation(s) envoyée(s)" in response.content.decode()
    assert len(mail.outbox) == 1 and mail.outbox[0].attachments[1][0].endswith(".ics")
    with clock.frozen(TODAY):
        again = web.post(f"/ventes/inscriptions/{enrolment.pk}/contrat/", follow=True)
    assert "déjà un contrat" in again.content.decode()


def test_tenancy_quotes_of_a_are_invisible_to_b_in_pages_and_api(org: Any, admin: Any,
                                                                   company: Any) -> None:
    with clock.frozen(TODAY):
        quote = services.quote_create(actor=admin, organisation=org, client_company=company,
                                      valid_until=date(2026, 3, 2),
                                      lines=[{"description": "Audit", "unit_price": Decimal("900")}])
    other = make_organisation("orgb", "formagogy")
    web = _web(make_user(other, Role.ADMINISTRATOR))
    assert web.get(f"/ventes/devis/{quote.pk}/").status_code == 404
    assert quote.number not in web.get("/ventes/").content.decode()
    assert web.get("/api/v1/quotes").json() == []
    assert web.get(f"/api/v1/quotes/{quote.pk}").status_code == 404
    mine = _web(admin).get(f"/api/v1/quotes/{quote.pk}").json()
    assert mine["number"] == quote.number and mine["total_excl_vat"] == "900.00"


def test_api_creates_a_quote_with_a_token(org: Any, admin: Any, company: Any) -> None:
    from ofelia.apitokens.services import api_token_create

    _token, clear = api_token_create(actor=admin, organisation=org, label="CRM")
    with clock.frozen(TODAY):
        answer = Client().post("/api/v1/quotes", {
            "client_company_id": company.pk, "valid_until": "2026-03-02",
            "lines": [{"description": "Coaching", "quantity": "3", "unit_price": "250.00"}]},
            content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {clear}")
    assert answer.status_code == 201, answer.content
    assert answer.json()["total_excl_vat"] == "750.00"
    assert Quote.objects.get().organisation == org
