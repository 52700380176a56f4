"""Quotes online (issue 10, item 3): the quote PDF, the e-mail with its link, the client's
acceptance in the extranet (who, when, IP, version of the terms — ACC-4), the decline, and
the refusals (second acceptance, expired quote, someone else's quote, tampered id)."""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from pypdf import PdfReader

from ofelia.core import clock
from ofelia.organisations.models import ClientCompany, Role
from ofelia.sales import services
from ofelia.sales.documents import render_quote_pdf
from ofelia.sales.models import Quote, TermsAcceptance

from .conftest import make_learner, make_session, make_user

SENT_AT = datetime(2026, 1, 5, 9, 0)
LINES = [{"description": "Management d'équipe, 3 jours", "quantity": Decimal("2"),
          "unit_price": Decimal("1490.00")}]


def _plain(text: str) -> str:
    """No-break spaces (amounts are printed « 1\u00a0490,00\u00a0€ ») read as spaces."""
    return re.sub(r"[\s\u00a0\u202f]+", " ", text)


def _text(pdf: bytes) -> str:
    return _plain(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))


def _quote(org: Any, admin: Any, *, send: bool = True, **client: Any) -> Quote:
    with clock.frozen(SENT_AT):
        quote = services.quote_create(
            actor=admin, organisation=org, session=make_session(org), lines=LINES,
            valid_until=date(2026, 2, 4), vat_rate=Decimal("20"), **client)
        if send:
            quote = services.quote_send(actor=admin, quote=quote,
                                        extranet_url=f"http://testserver/espace/devis/{quote.pk}/")
    return quote


@pytest.fixture
def contact(org: Any, company: Any) -> Any:
    return make_user(org, Role.CLIENT_CONTACT, company=company)


def _web(user: Any) -> Client:
    web = Client(REMOTE_ADDR="203.0.113.7")
    web.force_login(user)
    return web


def test_acc_4_quote_pdf_prints_parties_lines_vat_validity_learners_terms_and_where_to_accept(
    org: Any, admin: Any, company: Any
) -> None:
    learner = make_learner(org, company=company, first_name="Anne", last_name="Leroy")
    quote = _quote(org, admin, client_company=company, learners=[learner], workforce=3)
    with clock.frozen(SENT_AT):
        text = _text(render_quote_pdf(quote, accept_url="http://testserver/espace/devis/1/"))
    assert f"Devis n° {quote.number}" in text and "Organisme dixneuf" in text
    assert "11755555575" in text and "Acme Industrie" in text
    assert "Management d'équipe, 3 jours" in text
    assert "2 980,00 €" in text and "596,00 €" in text and "3 576,00 €" in text  # HT, VAT, TTC
    assert "4 février 2026" in text and "Anne Leroy" in text and "effectif de 3 stagiaires" in text
    assert "version 2025.08.01" in text
    assert "http://testserver/espace/devis/1/" in text.replace(" ", "")  # may wrap


def test_quote_pdf_of_an_exempt_organisation_prints_the_training_exemption(
    org: Any, admin: Any, company: Any
) -> None:
    org.vat_status = "training_exempt"
    org.save()
    with clock.frozen(SENT_AT):
        quote = services.quote_create(actor=admin, organisation=org, client_company=company,
                                      lines=LINES, valid_until=date(2026, 2, 4))
        text = _text(render_quote_pdf(quote))
    assert "Exonération de TVA, article 261-4-4° a du CGI" in text and "TTC" not in text
    assert "Stagiaires à préciser" in text


def test_sending_emails_the_company_contacts_in_french_with_the_link_on_commit(
    org: Any, admin: Any, company: Any, contact: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        quote = _quote(org, admin, client_company=company)
    assert quote.status == "sent" and quote.status_changed_at is not None
    message = mail.outbox[-1]
    assert message.to == [contact.email]
    assert message.subject == f"Devis {quote.number} — Organisme dixneuf"
    assert "vous adresse le devis" in message.body and "2 980,00 € HT" in _plain(message.body)
    assert f"http://testserver/espace/devis/{quote.pk}/" in message.body
    assert "l'accepter ou le refuser dans votre espace client" in message.body
    assert message.attachments[0][0] == f"devis-{quote.number}.pdf"


def test_sending_without_a_contact_account_uses_the_company_email_then_the_consumer(
    org: Any, admin: Any, company: Any, consumer: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _quote(org, admin, client_company=company)
        _quote(org, admin, consumer=consumer)
    assert [m.to for m in mail.outbox] == [["rh@acme.example"], ["paul.durand@example.org"]]
    assert "(3 576,00 € TTC)" in _plain(mail.outbox[1].body)  # the consumer reads VAT included


def test_sending_to_a_company_without_any_email_is_refused_and_changes_nothing(
    org: Any, admin: Any, django_capture_on_commit_callbacks: Any
) -> None:
    silent = ClientCompany.objects.create(organisation=org, name="Sans Courriel SARL")
    quote = _quote(org, admin, send=False, client_company=silent)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Exception) as exc:
        services.quote_send(actor=admin, quote=quote)
    assert "n'a pas d'adresse e-mail" in str(exc.value)
    quote.refresh_from_db()
    assert quote.status == "draft" and not mail.outbox


def test_acc_4_client_contact_accepts_online_with_version_ip_and_time(
    org: Any, admin: Any, company: Any, contact: Any
) -> None:
    quote = _quote(org, admin, client_company=company)
    web = _web(contact)
    with clock.frozen(datetime(2026, 1, 20, 15, 0)):
        listing = web.get("/espace/devis/").content.decode()
        assert quote.number in listing and "à accepter" in listing
        page = _plain(web.get(f"/espace/devis/{quote.pk}/").content.decode())
        assert "version 2025.08.01" in page and "3 576,00 €" in page
        pdf = web.get(f"/espace/devis/{quote.pk}/devis.pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
        response = web.post(f"/espace/devis/{quote.pk}/accepter/", {"agree": "on"}, follow=True)
    assert "accepté" in response.content.decode()
    quote.refresh_from_db()
    assert quote.status == "accepted" and quote.acceptance_method == "online_extranet"
    acceptance = TermsAcceptance.objects.get(quote=quote)
    assert acceptance.user == contact and acceptance.ip_address == "203.0.113.7"
    assert (acceptance.policy_id, acceptance.policy_version) == ("dixneuf", "2025.08.01")
    assert acceptance.method == TermsAcceptance.Method.ONLINE_EXTRANET
    assert acceptance.get_method_display() == "acceptation en ligne dans l'espace client"
    staff_page = _web(admin).get(f"/ventes/devis/{quote.pk}/").content.decode()
    assert "acceptation en ligne dans l&#x27;espace client" in staff_page
    assert "203.0.113.7" in staff_page and "20 janvier 2026" in staff_page


def test_acceptance_needs_the_box_ticked_and_a_second_one_is_refused(
    org: Any, admin: Any, company: Any, contact: Any
) -> None:
    quote = _quote(org, admin, client_company=company)
    web = _web(contact)
    with clock.frozen(datetime(2026, 1, 20, 15, 0)):
        page = web.post(f"/espace/devis/{quote.pk}/accepter/", {}, follow=True).content.decode()
        assert "Cochez la case" in page
        assert Quote.objects.get(pk=quote.pk).status == "sent"
        web.post(f"/espace/devis/{quote.pk}/accepter/", {"agree": "on"})
        again = web.post(f"/espace/devis/{quote.pk}/accepter/", {"agree": "on"},
                         follow=True).content.decode()
    assert "il ne peut plus être accepté" in again
    assert TermsAcceptance.objects.filter(quote=quote).count() == 1


def test_an_expired_quote_is_not_accepted_and_says_so(
    org: Any, admin: Any, company: Any, contact: Any
) -> None:
    quote = _quote(org, admin, client_company=company)
    web = _web(contact)
    with clock.frozen(datetime(2026, 2, 5, 9, 0)):  # valid until 4 February inclusive
        assert "expiré le 4 février 2026" in web.get(f"/espace/devis/{quote.pk}/").content.decode()
        page = web.post(f"/espace/devis/{quote.pk}/accepter/", {"agree": "on"},
                        follow=True).content.decode()
    assert "Devis expiré le 4 février 2026" in page
    assert Quote.objects.get(pk=quote.pk).status == "sent"
    assert not TermsAcceptance.objects.filter(quote=quote).exists()


def test_someone_elses_quote_a_draft_or_a_tampered_id_answers_404(
    org: Any, admin: Any, company: Any, contact: Any, consumer: Any
) -> None:
    other_company = ClientCompany.objects.create(organisation=org, name="Autre SA",
                                                 email="achats@autre.example")
    theirs = _quote(org, admin, client_company=other_company)
    draft = _quote(org, admin, send=False, client_company=company)
    web = _web(contact)
    with clock.frozen(datetime(2026, 1, 20, 15, 0)):
        for quote in (theirs, draft):
            assert web.get(f"/espace/devis/{quote.pk}/").status_code == 404
            assert web.get(f"/espace/devis/{quote.pk}/devis.pdf").status_code == 404
            assert web.post(f"/espace/devis/{quote.pk}/accepter/", {"agree": "on"}).status_code == 404
            assert web.post(f"/espace/devis/{quote.pk}/refuser/").status_code == 404
        assert web.get("/espace/devis/abc/").status_code == 404
        assert web.get("/espace/devis/999999/").status_code == 404
        assert theirs.number not in web.get("/espace/devis/").content.decode()
    assert Quote.objects.get(pk=theirs.pk).status == "sent"
    learner_user = make_user(org, Role.LEARNER, company=company)
    assert _web(learner_user).get("/espace/devis/").status_code == 403


def test_consumer_declines_with_a_reason_and_staff_see_when(
    org: Any, admin: Any, consumer: Any
) -> None:
    user = make_user(org, Role.CONSUMER)
    consumer.user = user
    consumer.save()
    quote = _quote(org, admin, consumer=consumer)
    web = _web(user)
    with clock.frozen(datetime(2026, 1, 21, 10, 30)):
        page = _plain(web.get(f"/espace/devis/{quote.pk}/").content.decode())
        assert "1 788,00 €" in page  # consumers read unit prices VAT included
        web.post(f"/espace/devis/{quote.pk}/refuser/", {"reason": "Dates incompatibles"})
        again = web.post(f"/espace/devis/{quote.pk}/accepter/", {"agree": "on"},
                         follow=True).content.decode()
    assert "il ne peut plus être accepté" in again
    quote.refresh_from_db()
    assert quote.status == "rejected" and quote.decline_reason == "Dates incompatibles"
    staff_page = _web(admin).get(f"/ventes/devis/{quote.pk}/").content.decode()
    assert "Refusé par le client le 21 janvier 2026" in staff_page and "Dates incompatibles" in staff_page
    assert "refusé le 21 janvier 2026" in _web(admin).get("/ventes/").content.decode()
