"""Staff pages, reports, extranet and /api/v1 of billing: tenancy, a client sees only theirs."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

import pytest

from ofelia.billing.models import CheckoutStatus, Invoice, InvoiceStatus, OnlineCheckout, Payment
from ofelia.billing.selectors import ageing, invoice_list, revenue_by_funder
from ofelia.billing.services import invoice_create_draft, invoice_issue
from ofelia.core import clock
from ofelia.organisations.models import ClientCompany, ConsumerClient, Role
from ofelia.organisations.testing import PASSWORD, make_member, make_organisation

from .conftest import draft_fields

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fake_gateway(settings):
    settings.BILLING_PAYMENT_GATEWAY = "ofelia.billing.gateways.FakeGateway"


@pytest.fixture
def today():
    with clock.frozen(datetime(2025, 11, 20, 10, 0)):
        yield date(2025, 11, 20)


def _company(org, name="Acme", siret="73282932000074"):
    return ClientCompany.objects.create(organisation=org, name=name, siret=siret)


def _invoice(org, *, issue=date(2025, 9, 10), company=None, consumer=None, price="1200.00", **more):
    fields = draft_fields(lines=[{"description": "Formation", "unit_price": price}], **more)
    if consumer is not None:
        fields.update(buyer_kind="consumer", late_penalty_rule="PEN-D1", payment_delay_days=0)
    draft = invoice_create_draft(actor=None, organisation=org, client_company=company,
                                 consumer_client=consumer, **fields)
    return invoice_issue(actor=None, invoice=draft, issue_date=issue)


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


@pytest.fixture
def two_orgs(db):
    a = make_organisation(legal_name="Organisme A", slug="org-a", vat_status="training_exempt",
                          address_line1="1 rue A", postal_code="49000", city="Angers")
    b = make_organisation(legal_name="Organisme B", slug="org-b", vat_status="training_exempt",
                          address_line1="1 rue B", postal_code="44000", city="Nantes")
    return a, b


def test_staff_list_filters_detail_pdf_and_other_organisation_404(client, two_orgs, today):
    a, b = two_orgs
    mine = _invoice(a, buyer_name="Ateliers Martin")
    paid = _invoice(a, issue=date(2025, 11, 19), buyer_name="Boulangerie Petit")
    from ofelia.billing.services import payment_record
    payment_record(actor=None, organisation=a, method="cheque", amount="1200", received_on=today,
                   allocations=[(paid, "1200")])
    theirs = _invoice(b)
    _login(client, make_member(a, Role.STAFF))
    page = client.get("/facturation/factures/?overdue=1").content.decode()
    assert mine.number in page and paid.number not in page and "en retard" in page
    page = client.get("/facturation/factures/?status=paid").content.decode()
    assert paid.number in page and mine.number not in page
    detail = client.get(f"/facturation/factures/{mine.pk}/").content.decode()
    assert "Formation" in detail and "Enregistrer un paiement" in detail
    assert client.get(f"/facturation/factures/{mine.pk}/document.pdf").content.startswith(b"%PDF")
    assert client.get(f"/facturation/factures/{theirs.pk}/").status_code == 404
    assert client.get(f"/facturation/factures/{theirs.pk}/document.pdf").status_code == 404
    assert client.post(f"/facturation/factures/{theirs.pk}/payment/",
                       {"method": "cheque", "amount": "10", "received_on": "2025-11-20"}).status_code == 404
    csv = client.get("/facturation/factures/?format=csv").content.decode("utf-8-sig")
    assert csv.splitlines()[0].startswith("Numéro;Type;Date") and mine.number in csv


def test_staff_records_a_payment_and_credit_note_through_the_page(client, two_orgs, today):
    a, _ = two_orgs
    invoice = _invoice(a)
    _login(client, make_member(a, Role.STAFF))
    response = client.post(f"/facturation/factures/{invoice.pk}/payment/", {
        "method": "transfer", "amount": "2000", "received_on": "2025-11-20", "allocate": "2000"},
        follow=True)
    assert "Trop-perçu refusé" in response.content.decode() and not Payment.objects.exists()
    client.post(f"/facturation/factures/{invoice.pk}/payment/", {
        "method": "transfer", "amount": "200", "received_on": "2025-11-20", "allocate": "200"})
    invoice.refresh_from_db()
    assert invoice.amount_paid == Decimal("200.00")
    response = client.post(f"/facturation/factures/{invoice.pk}/credit/", {"reason": "Remise"})
    note = Invoice.objects.get(kind="credit_note")
    assert response["Location"].endswith(f"/facturation/factures/{note.pk}/")
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.CANCELLED and invoice.balance == Decimal("-200.00")
    client.post(f"/facturation/factures/{invoice.pk}/refund/", {"amount": "200", "due_on": "2025-11-30"})
    assert invoice.refunds.get().amount == Decimal("200.00")


def test_ageing_buckets_boundaries_and_revenue_by_funder(two_orgs):
    a, b = two_orgs
    today = date(2025, 12, 31)
    due = {"not_due": 0, "0_30": 30, "31_60": 31, "61_90": 90, "over_90": 91}
    for days in sorted(due.values(), reverse=True):  # numbering is chronological
        # issued with due date = issue date (payment_delay_days=0): days late = today - issue
        _invoice(a, issue=date.fromordinal(today.toordinal() - days), payment_delay_days=0,
                 price=str(100 + days))
    _invoice(b, issue=date(2025, 12, 1), price="999")
    buckets = {x.key: (x.amount, x.count) for x in ageing(organisation=a, today=today)}
    assert buckets == {k: (Decimal(100 + d), 1) for k, d in due.items()}
    rows = revenue_by_funder(organisation=a, start=date(2025, 1, 1), end=date(2025, 12, 31))
    assert rows == [("Client", Decimal("100") * 5 + sum(due.values()))]
    # Each bucket of the report leads to exactly its own invoices.
    for key, days in due.items():
        listed = invoice_list(organisation=a, filters={"age": key}, today=today)
        assert [i.total_excl_vat for i in listed] == [Decimal(100 + days)], key


def test_reports_pages_have_an_inline_svg_chart_and_csv(client, two_orgs, today):
    a, _ = two_orgs
    _invoice(a, issue=date(2025, 9, 10))
    _login(client, make_member(a, Role.ADMINISTRATOR))
    page = client.get("/facturation/creances/").content.decode()
    assert "<svg" in page and "Plus de 90 jours" in page and "cdn" not in page.lower()
    assert "1\xa0200,00\xa0€" in page
    csv = client.get("/facturation/creances/?format=csv").content.decode("utf-8-sig")
    assert csv.splitlines()[0] == "Tranche;Montant dû;Factures"
    page = client.get("/facturation/chiffre-affaires/?annee=2025").content.decode()
    assert "<svg" in page and "Client" in page
    assert "Financeur;Chiffre d'affaires HT" in client.get(
        "/facturation/chiffre-affaires/?annee=2025&format=csv").content.decode("utf-8-sig")


def test_extranet_client_sees_only_their_invoices_and_pays_online(client, two_orgs, today):
    a, _ = two_orgs
    acme, other = _company(a), _company(a, "Autre SA", "35600000000048")
    ours = _invoice(a, company=acme, buyer_name="Acme", policy_id="laporte")
    not_ours = _invoice(a, company=other, buyer_name="Autre SA")
    contact = make_member(a, Role.CLIENT_CONTACT, company=acme)
    _login(client, contact)
    page = client.get("/espace/factures/").content.decode()
    assert ours.number in page and not_ours.number not in page
    assert client.get(f"/espace/factures/{ours.pk}/document.pdf").content.startswith(b"%PDF")
    assert client.get(f"/espace/factures/{not_ours.pk}/document.pdf").status_code == 404
    assert client.get(f"/facturation/factures/{ours.pk}/").status_code == 403
    assert f"/espace/factures/{ours.pk}/payer/" in page  # « Payer » leads to the payment page
    pay = client.get(f"/espace/factures/{ours.pk}/payer/").content.decode()
    assert "En 3 fois sans frais" in pay and "En 4 fois sans frais" in pay  # PAY-L1, 1 200 € HT
    response = client.post(f"/espace/factures/{ours.pk}/payer/", {"pay-instalments": "3"})
    assert response.status_code == 302 and response["Location"].startswith("https://checkout.invalid/")
    checkout = OnlineCheckout.objects.get()
    assert checkout.invoice == ours and checkout.instalment_count == 3
    assert list(checkout.instalments.values_list("amount", flat=True)) == [Decimal("400.00")] * 3
    assert checkout.status == CheckoutStatus.OPEN


def test_pay_l1_instalments_are_offered_only_where_the_terms_allow_them(client, two_orgs, today):
    a, _ = two_orgs
    acme = _company(a)
    dixneuf = _invoice(a, company=acme, buyer_name="Acme", policy_id="dixneuf")
    _login(client, make_member(a, Role.CLIENT_CONTACT, company=acme))
    page = client.get(f"/espace/factures/{dixneuf.pk}/payer/").content.decode()
    assert dixneuf.number in page and "par carte" in page and "En 3 fois" not in page
    response = client.post(f"/espace/factures/{dixneuf.pk}/payer/", {"pay-instalments": "3"},
                           follow=True)
    assert "Paiement en 3 fois refusé" in response.content.decode()
    assert not OnlineCheckout.objects.exists()


def test_extranet_consumer_sees_only_their_own(client, two_orgs, today):
    a, _ = two_orgs
    user = make_member(a, Role.CONSUMER)
    me = ConsumerClient.objects.create(organisation=a, civility="m", first_name="Paul",
                                       last_name="Durand", email="p@example.org", user=user)
    someone = ConsumerClient.objects.create(organisation=a, civility="mme", first_name="Léa",
                                            last_name="Roux", email="l@example.org")
    mine = _invoice(a, consumer=me, buyer_name="Paul Durand")
    other = _invoice(a, consumer=someone, buyer_name="Léa Roux")
    _login(client, user)
    page = client.get("/espace/factures/").content.decode()
    assert mine.number in page and other.number not in page
    # Another client's invoice in a hand-edited link: a French message, nothing written.
    tampered = client.post(f"/espace/factures/{other.pk}/payer/", {"pay-instalments": "1"}, follow=True)
    assert tampered.status_code == 200
    assert "ne correspond à aucune de vos factures" in tampered.content.decode()
    assert not OnlineCheckout.objects.exists()
    assert client.get(f"/espace/factures/{other.pk}/virement.svg").status_code == 404


def test_api_invoices_payments_credit_notes_are_tenant_scoped(client, two_orgs, today):
    a, b = two_orgs
    ours, theirs = _invoice(a), _invoice(b)
    _login(client, make_member(a, Role.STAFF))
    listed = client.get("/api/v1/invoices").json()
    assert [x["number"] for x in listed] == [ours.number]
    assert client.get(f"/api/v1/invoices/{theirs.pk}").status_code == 404
    body = client.get(f"/api/v1/invoices/{ours.pk}").json()
    assert body["balance"] == "1200.00" and body["lines"][0]["description"] == "Formation"
    refused = client.post("/api/v1/payments", data=json.dumps({
        "method": "cheque", "amount": "1300", "received_on": "2025-11-20",
        "allocations": [{"invoice": ours.pk, "amount": "1300"}]}), content_type="application/json")
    assert refused.status_code == 409 and "Trop-perçu" in refused.json()["detail"]
    assert not Payment.objects.exists()
    cross = client.post("/api/v1/payments", data=json.dumps({
        "method": "cheque", "amount": "10", "received_on": "2025-11-20",
        "allocations": [{"invoice": theirs.pk, "amount": "10"}]}), content_type="application/json")
    assert cross.status_code == 404
    ok = client.post("/api/v1/payments", data=json.dumps({
        "method": "cheque", "amount": "200", "received_on": "2025-11-20",
        "allocations": [{"invoice": ours.pk, "amount": "200"}]}), content_type="application/json")
    assert ok.status_code == 201 and ok.json()["allocated"] == "200.00"
    note = client.post(f"/api/v1/invoices/{ours.pk}/credit-notes",
                       data=json.dumps({"reason": "Geste commercial", "amount_excl_vat": "100"}),
                       content_type="application/json")
    assert note.status_code == 201 and note.json()["kind"] == "credit_note"
    assert client.post(f"/api/v1/invoices/{theirs.pk}/credit-notes", data=json.dumps(
        {"reason": "x"}), content_type="application/json").status_code == 404


def test_api_refuses_extranet_roles(client, two_orgs):
    a, _ = two_orgs
    _login(client, make_member(a, Role.CONSUMER))
    assert client.get("/api/v1/invoices").status_code == 403
