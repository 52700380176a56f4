"""Notifications: each kind's French mail in the outbox, sent once, opt-outs, templates."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from ofelia.billing.collections import run_collections
from ofelia.billing.services import invoice_create_draft, invoice_issue, payment_record
from ofelia.billing.terms import invoice_terms
from ofelia.billing.tests.conftest import draft_fields
from ofelia.core import clock
from ofelia.notifications import services
from ofelia.notifications.models import MailTemplate, SentMail
from ofelia.notifications.tasks import send_queued_mail
from ofelia.organisations.models import ClientCompany, ConsumerClient, Role
from ofelia.sales import services as sales
from ofelia.sales.models import ContractEvent
from ofelia.sales.tests.conftest import make_contract, make_organisation, make_session, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def org(db: Any) -> Any:
    return make_organisation()


@pytest.fixture
def admin(org: Any) -> Any:
    return make_user(org, Role.ADMINISTRATOR)


@pytest.fixture
def company(org: Any) -> ClientCompany:
    return ClientCompany.objects.create(
        organisation=org, name="Acme Industrie", siret="73282932000074",
        address_line1="3 avenue des Lilas", postal_code="69003", city="Lyon",
        email="rh@acme.example", contact_name="Claire Martin")


@pytest.fixture
def consumer(org: Any) -> ConsumerClient:
    return ConsumerClient.objects.create(
        organisation=org, civility="m", first_name="Paul", last_name="Durand",
        email="paul.durand@example.org", address_line1="8 rue Haute", postal_code="35000",
        city="Rennes")


def _web(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _quote(org: Any, admin: Any, company: Any) -> Any:
    return sales.quote_create(
        actor=admin, organisation=org, client_company=company, session=make_session(org),
        valid_until=date(2026, 2, 4),
        lines=[{"description": "Formation management, 3 jours", "quantity": Decimal("1"),
                "unit_price": Decimal("2100.00")}])


def test_quote_sent_mail_in_french_with_link_and_pdf(org: Any, admin: Any, company: Any,
                                                     django_capture_on_commit_callbacks: Any) -> None:
    with clock.frozen(datetime(2026, 1, 5, 9, 0)):
        quote = _quote(org, admin, company)
        with django_capture_on_commit_callbacks(execute=True):
            sales.quote_send(actor=admin, quote=quote, extranet_url="https://x.example/espace/devis/1/")
    message = mail.outbox[-1]
    assert message.to == ["rh@acme.example"]
    assert message.subject == f"Devis {quote.number} — Organisme dixneuf"
    assert "vous adresse le devis" in message.body and "2\u00a0100,00\u00a0€ HT" in message.body
    assert "https://x.example/espace/devis/1/" in message.body
    assert message.attachments[0][0] == f"devis-{quote.number}.pdf"
    row = SentMail.objects.get(kind="quote_sent")
    assert row.status == SentMail.Status.SENT and row.sent_at is not None and row.about_id == quote.pk


def test_consumer_contract_confirmation_carries_terms_and_retraction_form(
        org: Any, admin: Any, consumer: Any, django_capture_on_commit_callbacks: Any) -> None:
    with clock.frozen(datetime(2026, 1, 12, 10, 0)), django_capture_on_commit_callbacks(execute=True):
        contract = make_contract(org, admin, client=consumer)
    message = next(m for m in mail.outbox if m.subject.startswith("Confirmation"))
    assert message.to == ["paul.durand@example.org"]
    assert f"Nous confirmons votre contrat de formation n° {contract.number}" in message.body
    assert "droit de rétractation de quatorze jours" in message.body and "TTC" in message.body
    names = [name for name, _content, _type in message.attachments]
    assert names == [f"{contract.number}.pdf", f"conditions-generales-{contract.policy_version}.pdf",
                     "formulaire-retractation.pdf"]
    assert all(content.startswith(b"%PDF-") for _n, content, _t in message.attachments)
    assert SentMail.objects.get(kind="contract_confirmed").contract_id == contract.pk


def test_company_convention_confirmation_has_no_retraction_form(
        org: Any, admin: Any, company: Any, django_capture_on_commit_callbacks: Any) -> None:
    with clock.frozen(datetime(2026, 1, 12, 10, 0)), django_capture_on_commit_callbacks(execute=True):
        contract = make_contract(org, admin, client=company)
    message = mail.outbox[-1]
    assert "votre convention de formation" in message.body and "HT" in message.body
    assert "rétractation" not in message.body
    assert [name for name, *_ in message.attachments] == [
        f"{contract.number}.pdf", f"conditions-generales-{contract.policy_version}.pdf"]


def test_retraction_is_acknowledged(org: Any, admin: Any, consumer: Any,
                                    django_capture_on_commit_callbacks: Any) -> None:
    with clock.frozen(datetime(2026, 1, 12, 10, 0)):
        contract = make_contract(org, admin, client=consumer)
    with clock.frozen(datetime(2026, 1, 15, 10, 0)), django_capture_on_commit_callbacks(execute=True):
        sales.contract_event_record(actor=admin, contract=contract, type=ContractEvent.Type.RETRACTION,
                                    on=date(2026, 1, 15), by=ContractEvent.By.CLIENT)
    message = mail.outbox[-1]
    assert message.subject.startswith("Rétractation reçue")
    assert "Nous avons bien reçu le 15 janvier 2026 votre rétractation" in message.body


def _issued(org: Any, **fields: Any) -> Any:
    terms = invoice_terms(policy_id="dixneuf", buyer_kind="professional", on=date(2025, 9, 1)).as_fields()
    draft = invoice_create_draft(actor=None, organisation=org, **draft_fields(
        buyer_email="compta@ateliers-martin.example", **terms, **fields))
    return invoice_issue(actor=None, invoice=draft, issue_date=date(2025, 3, 10))


def test_invoice_issued_payment_reminder_and_formal_notice(
        org: Any, django_capture_on_commit_callbacks: Any) -> None:
    with clock.frozen(datetime(2025, 3, 10, 10, 0)), django_capture_on_commit_callbacks(execute=True):
        invoice = _issued(org)
    issued = mail.outbox[-1]
    assert issued.subject == f"Facture {invoice.number} — Organisme dixneuf"
    assert "payable au plus tard le 9 avril 2025" in issued.body
    assert issued.attachments[0][1].startswith(b"%PDF-")
    with clock.frozen(datetime(2025, 4, 20, 10, 0)), django_capture_on_commit_callbacks(execute=True):
        payment_record(actor=None, organisation=org, method="transfer", amount="200.00",
                       received_on=date(2025, 4, 20), allocations=[(invoice, "200.00")])
    paid = mail.outbox[-1]
    assert paid.subject == f"Paiement reçu — facture {invoice.number}"
    assert "votre paiement de 200,00\u00a0€" in paid.body
    assert "Reste dû sur cette facture : 1\u00a0000,00\u00a0€" in paid.body
    with django_capture_on_commit_callbacks(execute=True):
        run_collections(as_of=date(2025, 7, 1))
    subjects = [m.subject for m in mail.outbox[2:]]
    assert f"Relance : facture {invoice.number}" in subjects
    assert f"Mise en demeure : facture {invoice.number}" in subjects
    with django_capture_on_commit_callbacks(execute=True):
        run_collections(as_of=date(2025, 7, 2))  # the same steps: no mail again
    assert len(mail.outbox) == 2 + len(subjects)


def test_task_run_twice_sends_once(org: Any, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        [row] = services.notify(organisation=org, kind="retraction_ack", to="a@example.org",
                                context={"number": "C-1", "title": "Excel", "on": "01/01/2026"})
    assert len(mail.outbox) == 1
    send_queued_mail.apply(args=[row.pk])  # a redelivered task
    send_queued_mail.apply(args=[row.pk])
    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert row.status == SentMail.Status.SENT


def test_opt_out_respected_for_optional_ignored_for_mandatory(
        org: Any, admin: Any, django_capture_on_commit_callbacks: Any) -> None:
    web = _web(admin)
    response = web.post("/gestion/mes-notifications/", {"kind": ["reminder"]})
    assert response.status_code == 302
    assert services.opted_out(organisation=org, email=admin.email, kind="payment_received")
    context = {"number": "F-1", "received_on": "01/01/2026", "amount": "1 €", "balance": "0 €",
               "due_date": "01/01/2026"}
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(organisation=org, kind="payment_received", to=admin.email, context=context)
        services.notify(organisation=org, kind="reminder", to=admin.email, context=context)
        services.notify(organisation=org, kind="formal_notice", to=admin.email, context=context)
    assert [m.subject for m in mail.outbox] == ["Relance : facture F-1", "Mise en demeure : facture F-1"]
    assert SentMail.objects.get(kind="payment_received").status == SentMail.Status.SKIPPED
    # A mandatory kind cannot be refused, even by a forged form.
    web.post("/gestion/mes-notifications/", {"kind": []})
    assert not services.opted_out(organisation=org, email=admin.email, kind="formal_notice")
    page = web.get("/gestion/mes-notifications/").content.decode()
    assert "Mes notifications" in page and "Mise en demeure (obligatoire)" in page


def test_administrator_edits_template_with_preview_next_mail_uses_it(
        org: Any, admin: Any, django_capture_on_commit_callbacks: Any) -> None:
    web = _web(admin)
    assert "Relance amiable" in web.get("/gestion/parametres/courriels/").content.decode()
    url = "/gestion/parametres/courriels/reminder/"
    data = {"subject": "Petit rappel : {{ number }}", "body": "Bonjour, la facture {{ number }} attend."}
    preview = web.post(url, {**data, "action": "preview"}).content.decode()
    assert "Petit rappel : F-2026-0101" in preview and not MailTemplate.objects.exists()
    assert web.post(url, {**data, "action": "save"}).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(organisation=org, kind="reminder", to="x@example.org",
                        context={"number": "F-9"})
    assert mail.outbox[-1].subject == "Petit rappel : F-9"
    assert mail.outbox[-1].body.startswith("Bonjour, la facture F-9 attend.")
    broken = web.post(url, {"subject": "{% if %}", "body": "x", "action": "save"})
    assert broken.status_code == 200 and "modèle invalide" in broken.content.decode()
    assert MailTemplate.objects.get().subject == data["subject"]
    web.post(url, {"action": "reset"})
    assert not MailTemplate.objects.exists()


def test_templates_pages_for_administrators_only_and_scoped(org: Any, admin: Any) -> None:
    staff = make_user(org, Role.STAFF)
    assert _web(staff).get("/gestion/parametres/courriels/").status_code == 403
    assert _web(staff).post("/gestion/parametres/courriels/reminder/",
                            {"subject": "x", "body": "y", "action": "save"}).status_code == 403
    assert _web(admin).get("/gestion/parametres/courriels/inconnu/").status_code == 404
    other = make_organisation("formagogy", "formagogy")
    other_admin = make_user(other, Role.ADMINISTRATOR)
    _web(other_admin).post("/gestion/parametres/courriels/reminder/",
                           {"subject": "Chez l'autre {{ number }}", "body": "x", "action": "save"})
    [row] = services.notify(organisation=org, kind="reminder", to="x@example.org",
                            context={"number": "F-9"})
    assert row.subject == "Relance : facture F-9"  # the other organisation's text is not used


def test_contract_page_lists_its_mails(org: Any, admin: Any, company: Any) -> None:
    with clock.frozen(datetime(2026, 1, 12, 10, 0)):
        contract = make_contract(org, admin, client=company)
    other = make_organisation("formagogy", "formagogy")
    services.notify(organisation=other, kind="retraction_ack", to="z@example.org", about=contract,
                    context={"number": "AUTRE", "title": "x", "on": "x"})
    with clock.frozen(datetime(2026, 2, 1, 9, 0)):
        page = _web(admin).get(f"/ventes/contrats/{contract.pk}/").content.decode()
    assert "Courriels envoyés" in page and f"({contract.number})" in page and "Confirmation : " in page
    assert "z@example.org" not in page


def test_a_failing_server_is_kept_on_the_row_and_the_event_stands(
        org: Any, django_capture_on_commit_callbacks: Any, monkeypatch: Any) -> None:
    from django.core.mail import EmailMessage

    def refuse(self: Any, fail_silently: bool = False) -> int:
        raise OSError("serveur SMTP injoignable")

    monkeypatch.setattr(EmailMessage, "send", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        [row] = services.notify(organisation=org, kind="retraction_ack", to="a@example.org",
                                context={"number": "C-1", "title": "Excel", "on": "01/01/2026"})
    row.refresh_from_db()
    assert row.status == SentMail.Status.FAILED and "injoignable" in row.error
