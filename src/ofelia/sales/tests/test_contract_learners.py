"""D6353-1: a convention names its learners (effectif and names), one live convention per
client and session; a learner of the same client amends it (draft in place, avenant once
signed)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from ofelia.catalogue.models import Enrolment
from ofelia.catalogue.seats import enrolment_create
from ofelia.core import clock
from ofelia.core.models import AuditEntry
from ofelia.sales import documents, services
from ofelia.sales.models import Contract, ContractAmendment, Quote

from .conftest import DOCUMENT_FIELDS, make_learner, make_session


def _accepted_quote(org: Any, actor: Any, company: Any, session: Any, **kwargs: Any) -> Quote:
    quote = services.quote_create(
        actor=actor, organisation=org, client_company=company, session=session,
        valid_until=date(2026, 2, 28),
        lines=[{"description": "Management", "quantity": Decimal(2), "unit_price": Decimal("1200")}],
        **kwargs)
    services.quote_send(actor=actor, quote=quote)
    return services.quote_accept(actor=actor, quote=quote, accepted_by_name="Claire Martin",
                                 method="signed_quote")


def _enrol(org: Any, admin: Any, session: Any, company: Any) -> Enrolment:
    return enrolment_create(actor=admin, organisation=org, session=session,
                            learner=make_learner(org, company=company))


def test_d6353_1_quote_for_two_learners_gives_a_convention_naming_both(
    org: Any, admin: Any, company: Any,
) -> None:
    session = make_session(org, start=date(2026, 3, 16))
    anne, marc = (make_learner(org, company=company, first_name=n, last_name="Salarié")
                  for n in ("Anne", "Marc"))
    with clock.frozen(datetime(2026, 2, 1, 9, 0)):
        quote = _accepted_quote(org, admin, company, session, learners=[anne, marc])
        contract = services.quote_convert(actor=admin, quote=quote, **DOCUMENT_FIELDS)
    assert contract.workforce == 2
    assert contract.price == Decimal("2400.00")
    assert {e.learner for e in contract.enrolments.all()} == {anne, marc}
    assert all(e.status == Enrolment.Status.CONFIRMED for e in contract.enrolments.all())
    values = documents.document_values(contract)
    assert values["workforce"] == "2" and values["learners"] == ["Anne Salarié", "Marc Salarié"]


def test_d6353_1_head_count_only_prints_the_workforce(org: Any, admin: Any, company: Any) -> None:
    session = make_session(org, start=date(2026, 3, 16))
    with clock.frozen(datetime(2026, 2, 1, 9, 0)):
        quote = _accepted_quote(org, admin, company, session, workforce=3)
        contract = services.quote_convert(actor=admin, quote=quote)
    assert contract.workforce == 3 and contract.enrolments.count() == 0


def test_d6353_1_quote_refuses_a_learner_of_another_client_and_a_short_head_count(
    org: Any, admin: Any, company: Any, consumer: Any,
) -> None:
    session = make_session(org, start=date(2026, 3, 16))
    stranger = make_learner(org, consumer=consumer)
    own = make_learner(org, company=company)
    with clock.frozen(datetime(2026, 2, 1, 9, 0)):
        with pytest.raises(ValidationError, match="n'est pas un stagiaire de Acme"):
            _accepted_quote(org, admin, company, session, learners=[stranger])
        with pytest.raises(ValidationError, match="Effectif : 1 stagiaire"):
            _accepted_quote(org, admin, company, session, learners=[own, make_learner(
                org, company=company)], workforce=1)
    assert Quote.objects.count() == 0


def test_d6353_1_second_learner_of_same_client_amends_the_draft(
    org: Any, admin: Any, company: Any,
) -> None:
    session = make_session(org, start=date(2026, 3, 16), price="1000.00")
    with clock.frozen(datetime(2026, 2, 1, 9, 0)):
        first, second = _enrol(org, admin, session, company), _enrol(org, admin, session, company)
        contract = services.contract_from_enrolment(actor=admin, enrolment=first)
        again = services.contract_from_enrolment(actor=admin, enrolment=second)
    assert again.pk == contract.pk and Contract.objects.count() == 1
    again.refresh_from_db()
    assert again.workforce == 2 and again.price == Decimal("2000.00")
    assert again.enrolments.count() == 2
    assert AuditEntry.objects.filter(action="contract.add_learner").count() == 1
    assert not ContractAmendment.objects.exists()


def test_d6353_1_learner_added_to_a_signed_convention_is_an_avenant(
    org: Any, admin: Any, company: Any,
) -> None:
    session = make_session(org, start=date(2026, 3, 16), price="1000.00")
    with clock.frozen(datetime(2026, 2, 1, 9, 0)):
        first = _enrol(org, admin, session, company)
        contract = services.contract_from_enrolment(actor=admin, enrolment=first,
                                                    **DOCUMENT_FIELDS)
        services.contract_sign(actor=admin, contract=contract, accepted_by_name="Claire Martin",
                               method="signed_document")
    with clock.frozen(datetime(2026, 2, 10, 9, 0)):
        second = _enrol(org, admin, session, company)
        amended = services.contract_from_enrolment(actor=admin, enrolment=second)
    assert amended.pk == contract.pk and Contract.objects.count() == 1
    amendment = ContractAmendment.objects.get()
    assert (amendment.number, amendment.on) == (1, date(2026, 2, 10))
    assert (amendment.workforce_before, amendment.workforce_after) == (1, 2)
    assert (amendment.price_before, amendment.price_after) == (Decimal("1000.00"), Decimal("2000.00"))
    assert AuditEntry.objects.filter(action="contract.amend").count() == 1
    pdf = documents.render_amendment_pdf(amendment)
    assert pdf.startswith(b"%PDF")


def test_d6353_1_intra_price_is_per_group_and_a_named_slot_of_the_head_count_changes_nothing(
    org: Any, admin: Any, company: Any,
) -> None:
    session = make_session(org, start=date(2026, 3, 16), price="1000.00")
    with clock.frozen(datetime(2026, 2, 1, 9, 0)):
        contract = services.contract_create(actor=admin, organisation=org, session=session,
                                            client_company=company, workforce=3, format="intra",
                                            price=Decimal("3000.00"))
        enrolment = _enrol(org, admin, session, company)
        services.contract_from_enrolment(actor=admin, enrolment=enrolment)
    contract.refresh_from_db()
    assert (contract.workforce, contract.price) == (3, Decimal("3000.00"))


def test_d6353_1_one_live_convention_per_client_and_session(
    org: Any, admin: Any, company: Any,
) -> None:
    session = make_session(org, start=date(2026, 3, 16))
    with clock.frozen(datetime(2026, 2, 1, 9, 0)):
        first = services.contract_create(actor=admin, organisation=org, session=session,
                                         client_company=company)
        with pytest.raises(ValidationError, match="un client n'a qu'une convention par session"):
            services.contract_create(actor=admin, organisation=org, session=session,
                                     client_company=company)
    assert Contract.objects.count() == 1
    # The database refuses it too (partial unique constraint on live contracts).
    with pytest.raises(IntegrityError), transaction.atomic():
        Contract.objects.create(
            organisation=org, kind=first.kind, number="CV-X", client_company=company,
            session=session, format="inter", price=1, hours=1, start_date=session.start_date,
            end_date=session.end_date, policy_id="dixneuf", title="x")
    # A cancelled convention frees the place for a new one.
    Contract.objects.filter(pk=first.pk).update(status=Contract.Status.CANCELLED)
    with clock.frozen(datetime(2026, 2, 1, 9, 0)):
        services.contract_create(actor=admin, organisation=org, session=session,
                                 client_company=company)


def test_d6353_1_learner_of_another_client_gets_its_own_convention(
    org: Any, admin: Any, company: Any,
) -> None:
    from ofelia.organisations.models import ClientCompany

    other = ClientCompany.objects.create(organisation=org, name="Beta SARL", city="Nantes")
    session = make_session(org, start=date(2026, 3, 16))
    with clock.frozen(datetime(2026, 2, 1, 9, 0)):
        a, b = _enrol(org, admin, session, company), _enrol(org, admin, session, other)
        first = services.contract_from_enrolment(actor=admin, enrolment=a)
        second = services.contract_from_enrolment(actor=admin, enrolment=b)
        with pytest.raises(ValidationError, match="n'est pas un stagiaire de Acme"):
            services.contract_add_enrolment(actor=admin, contract=first, enrolment=b)
    assert first.pk != second.pk


def test_d6353_1_convention_pdf_shows_learners_trainers_and_prerequisites(
    org: Any, admin: Any, company: Any,
) -> None:
    session = make_session(org, start=date(2026, 3, 16))
    anne = make_learner(org, company=company, first_name="Anne", last_name="Salarié")
    with clock.frozen(datetime(2026, 2, 1, 9, 0)):
        quote = _accepted_quote(org, admin, company, session, learners=[anne], workforce=2)
        contract = services.quote_convert(actor=admin, quote=quote, **DOCUMENT_FIELDS)
    html = _convention_html(contract)
    assert "2 stagiaires" in html and "Anne Salarié" in html
    assert "noms des autres stagiaires communiqués avant le début" in html
    assert DOCUMENT_FIELDS["trainers"] in html and DOCUMENT_FIELDS["prerequisites"] in html


def _convention_html(contract: Contract) -> str:
    from django.template.loader import render_to_string

    from ofelia.sales.mentions import mentions_for

    return render_to_string("sales/pdf/convention.html", {
        "contract": contract, "v": documents.document_values(contract),
        "mentions": mentions_for(contract.kind), "organisation": contract.organisation})


def _quote_post(session: Any, company: Any, learners: list[Any], **extra: Any) -> dict[str, Any]:
    return {"client_company": company.pk, "session": session.pk, "valid_until": "2026-02-28",
            "vat_rate": "0", "learners": [le.pk for le in learners],
            "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0", "lines-MIN_NUM_FORMS": "1",
            "lines-MAX_NUM_FORMS": "1000", "lines-0-description": "Management",
            "lines-0-quantity": "2", "lines-0-unit_price": "1200", **extra}


def test_d6353_1_quote_form_picks_learners_and_refuses_in_french(
    org: Any, admin: Any, company: Any, consumer: Any,
) -> None:
    from django.test import Client

    session = make_session(org, start=date(2026, 3, 16))
    anne = make_learner(org, company=company, first_name="Anne", last_name="Salarié")
    stranger = make_learner(org, consumer=consumer, first_name="Paul", last_name="Autre")
    web = Client()
    web.force_login(admin)
    with clock.frozen(datetime(2026, 2, 1, 9, 0)):
        form = web.get("/ventes/devis/nouveau/").content.decode()
        assert "choisissez d&#x27;abord l&#x27;entreprise" in form or (
            "choisissez d'abord l'entreprise" in form)
        assert "ou effectif (nombre de stagiaires)" in form and "Anne Salarié" not in form
        assert 'hx-get="/ventes/devis/stagiaires/"' in form
        picker = web.get("/ventes/devis/stagiaires/", {"client_company": company.pk}).content.decode()
        assert "Anne Salarié — Acme Industrie" in picker and "Paul Autre" not in picker
        refused = web.post("/ventes/devis/nouveau/", _quote_post(
            session, company, [anne, stranger], workforce="0")).content.decode()
        assert "Stagiaires : un stagiaire coché n&#x27;est pas du client choisi" in refused
        assert "Effectif : au moins un stagiaire." in refused
        assert not Quote.objects.exists()
        created = web.post("/ventes/devis/nouveau/", _quote_post(session, company, [anne],
                                                                 workforce="2"))
    quote = Quote.objects.get()
    assert created.status_code == 302
    assert list(quote.learners.all()) == [anne] and quote.workforce == 2
