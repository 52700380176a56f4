"""Automatic settlement: per payer, what the rules core's outcome says is owed, against what
is invoiced (net of credit notes) and paid; drafts, then one-step issue."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from ofelia.billing.contract_invoices import deposit_invoice_create
from ofelia.billing.funding import funding_entry_add
from ofelia.billing.models import Invoice, InvoiceStatus, Refund
from ofelia.billing.services import payment_record
from ofelia.billing.settlement import (
    contract_settle,
    settle_all,
    settlement_drafts,
    settlement_issue,
)
from ofelia.core import clock
from ofelia.core.models import AuditEntry
from ofelia.organisations.models import Role
from ofelia.organisations.testing import make_member
from ofelia.sales import rules_io
from ofelia.sales.services import contract_event_record

from .conftest import make_organisation
from .contracts import company, consumer, signed_contract

pytestmark = pytest.mark.django_db
OPCO = {"funder_name": "OPCO Atlas", "funder_address": "25 quai Panhard\n75013 Paris"}


def _vat_organisation(slug: str, **fields: Any) -> Any:
    return make_organisation(slug=slug, vat_status="subject", vat_number="FR40732829320",
                             **fields)


def _writes() -> tuple[int, ...]:
    return (Invoice.objects.count(), AuditEntry.objects.count(), Refund.objects.count(),
            sum(i.lines.count() for i in Invoice.objects.all()))


def _settle_and_issue(contract: Any, on: date) -> list[Any]:
    contract_settle(contract=contract, as_of=on)
    return settlement_issue(actor=None, contract=contract, on=on)


def _pay_all(contract: Any, on: date, amount: Decimal | None = None) -> None:
    for invoice in Invoice.objects.filter(contract=contract, kind="invoice", status="issued"):
        part = amount if amount is not None else invoice.balance
        payment_record(actor=None, organisation=contract.organisation, method="transfer",
                       amount=part, received_on=on, allocations=[(invoice, part)])


def _invoiced_net(contract: Any) -> dict[str, Decimal]:
    """Per payer: issued invoices minus issued credit notes, VAT included."""
    net: dict[str, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for doc in Invoice.objects.filter(contract=contract).exclude(status=InvoiceStatus.DRAFT):
        sign = 1 if doc.kind == "invoice" else -1
        net[doc.payer_kind] += sign * doc.total_incl_vat
    return {k: v for k, v in net.items() if v}


def _owed_by_simulate(contract: Any, as_of: date) -> dict[str, Decimal]:
    """The same facts through `ofelia simulate`'s door (JSON): charges per payer, VAT included."""
    outcome = rules_io.evaluate_contract(contract, as_of=as_of)
    owed: dict[str, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for charge in outcome["charges"]:
        owed["client" if charge["payer"] == "learner" else charge["payer"]] += (
            Decimal(charge["amount"]) + Decimal(charge["vat"]))
    return {k: v for k, v in owed.items() if v}


# --- CAN-D1: cancellation -> credit note + fee invoice, the fee without VAT ------------------

def test_can_d1_cancellation_drafts_a_credit_note_and_a_fee_invoice_without_vat():
    org = _vat_organisation("campus-tva")
    contract = signed_contract(org, client=company(org), signed=date(2026, 1, 12),
                               start=date(2026, 3, 16), vat_rate=Decimal("20"))
    # Invoicing with VAT above zero: the price line bears the contract's 20 %.
    [price] = _settle_and_issue(contract, date(2026, 1, 13))
    assert (price.purpose, price.total_excl_vat, price.total_vat, price.total_incl_vat) == (
        "price", Decimal("2400.00"), Decimal("480.00"), Decimal("2880.00"))
    assert price.contract_id == contract.pk and price.lines.get().vat_rate == Decimal("20.00")

    contract_event_record(actor=None, contract=contract, type="cancellation", by="client",
                          reason="other", on=date(2026, 3, 6), as_of=date(2026, 3, 6))
    result = contract_settle(contract=contract, as_of=date(2026, 3, 6))
    assert result.changed and not result.problems
    credits, invoices, refunds = settlement_drafts(contract)
    assert [(n.credited_invoice_id, n.total_incl_vat) for n in credits] == [
        (price.pk, Decimal("2880.00"))]
    assert credits[0].reason == "Annulation du 6 mars 2026 (CAN-D1)"
    [fee] = invoices
    line = fee.lines.get()
    assert (fee.purpose, line.rule, line.vat_rate) == ("fee", "CAN-D1", Decimal("0.00"))
    # 1 200 € of compensation stays 1 200 € (never 1 440 €).
    assert (fee.total_vat, fee.total_incl_vat) == (Decimal("0.00"), Decimal("1200.00"))
    assert refunds == []

    # Settlement run twice changes nothing.
    before = _writes()
    assert contract_settle(contract=contract, as_of=date(2026, 3, 6)).changed is False
    assert _writes() == before

    done = settlement_issue(actor=None, contract=contract, on=date(2026, 3, 6))
    assert [d.kind for d in done] == ["credit_note", "invoice"]  # credit notes first
    price.refresh_from_db()
    assert price.status == InvoiceStatus.CANCELLED
    assert _invoiced_net(contract) == {"client": Decimal("1200.00")}
    assert _invoiced_net(contract) == _owed_by_simulate(contract, date(2026, 3, 6))
    assert contract_settle(contract=contract, as_of=date(2026, 3, 7)).changed is False


def test_can_d1_the_fee_of_a_paid_price_is_paid_by_imputation_and_the_rest_refunded():
    org = _vat_organisation("campus-paye")
    contract = signed_contract(org, client=company(org), signed=date(2026, 1, 12),
                               start=date(2026, 3, 16), vat_rate=Decimal("20"))
    _settle_and_issue(contract, date(2026, 1, 13))
    _pay_all(contract, date(2026, 1, 20))
    contract_event_record(actor=None, contract=contract, type="cancellation", by="client",
                          reason="other", on=date(2026, 3, 6), as_of=date(2026, 3, 6))
    contract_settle(contract=contract, as_of=date(2026, 3, 6))
    [proposed] = settlement_drafts(contract)[2]
    assert proposed.amount == Decimal("1680.00")  # 2 880 paid − 1 200 owed
    # The next day's run keeps the proposed refund and its day.
    assert contract_settle(contract=contract, as_of=date(2026, 3, 7)).changed is False
    _settle_and_issue(contract, date(2026, 3, 6))
    fee = Invoice.objects.get(contract=contract, purpose="fee")
    assert fee.status == InvoiceStatus.PAID and fee.balance == Decimal("0.00")
    [refund] = Refund.objects.filter(contract=contract)
    assert (refund.amount, refund.status) == (Decimal("1680.00"), "due")
    assert contract_settle(contract=contract, as_of=date(2026, 3, 7)).changed is False


# --- every event type: settlement agrees with `ofelia simulate` of the same facts -----------

def _cancellation() -> tuple[Any, date]:
    org = make_organisation(slug="ev-can")
    contract = signed_contract(org, client=company(org), signed=date(2026, 1, 12),
                               start=date(2026, 3, 16))
    _settle_and_issue(contract, date(2026, 1, 13))
    contract_event_record(actor=None, contract=contract, type="cancellation", by="client",
                          reason="other", on=date(2026, 3, 6), as_of=date(2026, 3, 6))
    return contract, date(2026, 3, 6)


def _retraction() -> tuple[Any, date]:
    org = make_organisation(slug="ev-ret")
    contract = signed_contract(org, client=consumer(org), signed=date(2026, 1, 12),
                               start=date(2026, 3, 16), at_distance=True)
    _settle_and_issue(contract, date(2026, 1, 13))
    _pay_all(contract, date(2026, 1, 14), Decimal("300.00"))
    contract_event_record(actor=None, contract=contract, type="retraction", on=date(2026, 1, 20),
                          as_of=date(2026, 1, 20))
    return contract, date(2026, 1, 20)


def _abandonment() -> tuple[Any, date]:
    org = make_organisation(slug="ev-abd")
    contract = signed_contract(org, client=consumer(org), signed=date(2026, 1, 5),
                               start=date(2026, 3, 2), price="3000.00")
    _settle_and_issue(contract, date(2026, 1, 6))
    contract_event_record(actor=None, contract=contract, type="abandonment", reason="other",
                          hours_attended=Decimal("7"), on=date(2026, 3, 2), as_of=date(2026, 3, 3))
    return contract, date(2026, 3, 3)


def _provider_stop() -> tuple[Any, date]:
    org = make_organisation(slug="ev-stop")
    contract = signed_contract(org, client=consumer(org), signed=date(2026, 1, 5),
                               start=date(2026, 3, 2), price="3000.00")
    _settle_and_issue(contract, date(2026, 1, 6))
    _pay_all(contract, date(2026, 1, 25), Decimal("900.00"))
    contract_event_record(actor=None, contract=contract, type="provider_stop",
                          hours_attended=Decimal("7"), on=date(2026, 3, 2), as_of=date(2026, 3, 3))
    return contract, date(2026, 3, 3)


def _funding_refused() -> tuple[Any, date]:
    org = make_organisation(slug="ev-refus", policy_id="laporte")
    contract = signed_contract(org, client=consumer(org), signed=date(2026, 3, 1),
                               start=date(2026, 3, 31), price="1999.00", at_distance=True)
    funding_entry_add(actor=None, contract=contract, payer="opco", amount="1000.00",
                      today=date(2026, 3, 1), **OPCO)
    _settle_and_issue(contract, date(2026, 3, 2))
    contract_event_record(actor=None, contract=contract, type="funding_refused", payer="opco",
                          on=date(2026, 3, 10), as_of=date(2026, 3, 10))
    return contract, date(2026, 3, 10)


def _rescission() -> tuple[Any, date]:
    org = make_organisation(slug="ev-resc", policy_id="formagogy")
    contract = signed_contract(org, client=company(org), signed=date(2026, 1, 12),
                               start=date(2026, 2, 2), price="2000.00")
    deposit_invoice_create(actor=None, contract=contract, on=date(2026, 1, 12))
    _pay_all(contract, date(2026, 1, 15))
    contract_event_record(actor=None, contract=contract, type="rescission", on=date(2026, 5, 3),
                          as_of=date(2026, 5, 3))
    return contract, date(2026, 5, 4)


def _schedule_change() -> tuple[Any, date]:
    org = make_organisation(slug="ev-sched")
    contract = signed_contract(org, client=company(org), signed=date(2026, 1, 12),
                               start=date(2026, 3, 16))
    _settle_and_issue(contract, date(2026, 1, 13))
    contract_event_record(actor=None, contract=contract, type="schedule_change",
                          on=date(2026, 2, 20), as_of=date(2026, 2, 20))
    return contract, date(2026, 2, 20)


@pytest.mark.parametrize("build", [
    _cancellation, _retraction, _abandonment, _provider_stop, _funding_refused, _rescission,
    _schedule_change,
], ids=["CAN-D1", "RET-3", "ABD-D2", "PRV-D3", "CAN-L1", "PRV-F1", "PRV-D4"])
def test_settlement_after_each_event_agrees_with_simulate(build: Callable[[], Any]):
    contract, as_of = build()
    contract.refresh_from_db()
    contract_settle(contract=contract, as_of=as_of)
    if any(settlement_drafts(contract)):
        settlement_issue(actor=None, contract=contract, on=as_of)
    assert _invoiced_net(contract) == _owed_by_simulate(contract, as_of)
    # Money: what was paid beyond what is owed is refunded, what the core refunds agrees.
    refunds = sum((r.amount for r in Refund.objects.filter(contract=contract)), Decimal("0.00"))
    outcome = rules_io.evaluate_contract(contract, as_of=as_of)
    paid = sum((i.amount_paid for i in Invoice.objects.filter(contract=contract, kind="invoice")),
               Decimal("0.00"))
    owed = sum(_owed_by_simulate(contract, as_of).values(), Decimal("0.00"))
    assert refunds == max(paid - owed, Decimal("0.00"))
    if refunds:
        core = sum((Decimal(r["amount"]) for r in outcome["refunds"]), Decimal("0.00"))
        assert refunds <= max(core, paid)
    # Idempotent: a second run writes nothing.
    before = _writes()
    assert contract_settle(contract=contract, as_of=as_of).changed is False
    assert _writes() == before


# --- the daily job, the pages ------------------------------------------------------------------

def test_daily_job_settles_every_signed_contract_and_a_second_run_writes_nothing():
    org = make_organisation(slug="quotidien")
    acme = company(org)
    first = signed_contract(org, client=acme, signed=date(2026, 1, 12), start=date(2026, 3, 16))
    signed_contract(org, client=acme, signed=date(2026, 1, 12), start=date(2026, 3, 17))
    report = settle_all(as_of=date(2026, 1, 13))
    assert report["contracts"] == 2 and len(report["changed"]) == 2 and not report["problems"]
    before = _writes()
    assert settle_all(as_of=date(2026, 1, 13))["changed"] == []
    assert _writes() == before
    assert settlement_drafts(first)[1][0].purpose == "price"


def test_contract_panel_lists_drafts_and_issues_them_in_one_click(client):
    org = make_organisation(slug="panneau")
    contract = signed_contract(org, client=company(org), signed=date(2026, 1, 12),
                               start=date(2026, 3, 16))
    url = f"/facturation/contrats/{contract.pk}/panneau/"
    client.force_login(make_member(org, Role.STAFF))
    with clock.frozen(datetime(2026, 1, 13, 9, 0)):
        contract_settle(contract=contract)
        before = client.get(f"/facturation/contrats/{contract.pk}/").content.decode()
        assert "Préparer la facture de : Client" in before  # its draft waits
        panel = client.get(url)
        assert panel.status_code == 200
        html = panel.content.decode()
        assert "Émettre les brouillons" in html and "<html" not in html
        assert "<h2" not in html  # the contract page's section titles it: no second « Facturation »
        assert f"/facturation/contrats/{contract.pk}/" in html
        response = client.post(f"/facturation/contrats/{contract.pk}/issue-drafts/",
                               {"next": "panel"})
        assert response.status_code == 302 and response["Location"].endswith(
            f"/ventes/contrats/{contract.pk}/")
    assert Invoice.objects.get(contract=contract).status == InvoiceStatus.ISSUED
    page = client.get(f"/facturation/contrats/{contract.pk}/").content.decode()
    assert f'href="/ventes/contrats/{contract.pk}/"' in page
    # Everything issued: no button that would be refused, the invoice instead.
    issued = Invoice.objects.get(contract=contract)
    assert "Préparer la facture" not in page
    assert f'Déjà facturé : <a href="/facturation/factures/{issued.pk}/">' in page
    outsider = Client()
    outsider.force_login(make_member(make_organisation(slug="panneau-autre"), Role.STAFF))
    assert outsider.get(url).status_code == 404
    learner = Client()
    learner.force_login(make_member(org, Role.LEARNER))
    assert learner.get(url).status_code == 403


def test_issuing_without_drafts_is_refused_and_changes_nothing(client):
    org = make_organisation(slug="rien")
    contract = signed_contract(org, client=company(org), signed=date(2026, 1, 12),
                               start=date(2026, 3, 16))
    client.force_login(make_member(org, Role.STAFF))
    before = _writes()
    response = client.post(f"/facturation/contrats/{contract.pk}/issue-drafts/", follow=True)
    assert "Aucun brouillon à émettre" in response.content.decode()
    assert _writes() == before


def test_a_recorded_event_settles_the_contract_on_commit(django_capture_on_commit_callbacks):
    org = make_organisation(slug="sur-commit")
    with django_capture_on_commit_callbacks(execute=True):
        contract = signed_contract(org, client=company(org), signed=date(2026, 1, 12),
                                   start=date(2026, 3, 16))
    # Signed: the price the outcome says is owed is drafted at once.
    assert [d.purpose for d in settlement_drafts(contract)[1]] == ["price"]
    settlement_issue(actor=None, contract=contract, on=date(2026, 1, 13))
    with django_capture_on_commit_callbacks(execute=True):
        contract_event_record(actor=None, contract=contract, type="cancellation", by="client",
                              reason="other", on=date(2026, 3, 6), as_of=date(2026, 3, 6))
    credits, invoices, _ = settlement_drafts(contract)
    assert len(credits) == 1 and [i.purpose for i in invoices] == ["fee"]


def test_a_draft_issued_alone_from_its_invoice_page(client):
    """A settlement draft can also be issued on its own page: an avoir against its invoice,
    an invoice whose due day has passed falling due on its issue day."""
    org = make_organisation(slug="une-a-une")
    contract = signed_contract(org, client=company(org), signed=date(2026, 1, 12),
                               start=date(2026, 3, 16))
    _settle_and_issue(contract, date(2026, 1, 13))
    contract_event_record(actor=None, contract=contract, type="cancellation", by="client",
                          reason="other", on=date(2026, 3, 6), as_of=date(2026, 3, 6))
    contract_settle(contract=contract, as_of=date(2026, 3, 6))
    [note], [fee], _ = settlement_drafts(contract)
    client.force_login(make_member(org, Role.STAFF))
    with clock.frozen(datetime(2026, 4, 20, 9, 0)):
        client.post(f"/facturation/factures/{note.pk}/issue/")
        client.post(f"/facturation/factures/{fee.pk}/issue/")
    note.refresh_from_db()
    fee.refresh_from_db()
    assert note.status == fee.status == InvoiceStatus.ISSUED
    assert note.credited_invoice.status == InvoiceStatus.CANCELLED
    assert fee.due_date == date(2026, 4, 20) and fee.issue_date == date(2026, 4, 20)


def test_pay_f1_invoicing_with_vat_above_zero_deposit_and_balance_each_keep_their_vat():
    org = _vat_organisation("formagogy-tva", policy_id="formagogy")
    contract = signed_contract(org, client=company(org), signed=date(2026, 1, 12),
                               start=date(2026, 3, 16), price="2000.00", vat_rate=Decimal("20"))
    contract_settle(contract=contract, as_of=date(2026, 1, 12))
    drafts = {d.purpose: d for d in settlement_drafts(contract)[1]}
    assert {k: (d.total_excl_vat, d.total_vat, d.total_incl_vat) for k, d in drafts.items()} == {
        "deposit": (Decimal("600.00"), Decimal("120.00"), Decimal("720.00")),
        "price": (Decimal("1400.00"), Decimal("280.00"), Decimal("1680.00"))}
    assert drafts["deposit"].due_date == date(2026, 1, 12)
    assert {d.lines.get().rule for d in drafts.values()} == {"PAY-F1"}
    settlement_issue(actor=None, contract=contract, on=date(2026, 1, 12))
    assert _invoiced_net(contract) == _owed_by_simulate(contract, date(2026, 1, 12)) == {
        "client": Decimal("2400.00")}


def test_a_funder_added_after_signature_updates_the_drafts_on_commit(
        django_capture_on_commit_callbacks):
    org = make_organisation(slug="financeur-ajoute")
    contract = signed_contract(org, client=company(org), signed=date(2026, 1, 12),
                               start=date(2026, 3, 16))
    contract_settle(contract=contract, as_of=date(2026, 1, 12))
    assert [d.total_incl_vat for d in settlement_drafts(contract)[1]] == [Decimal("2400.00")]
    with clock.frozen(datetime(2026, 1, 13, 9, 0)), \
            django_capture_on_commit_callbacks(execute=True):
        funding_entry_add(actor=None, contract=contract, payer="opco", amount="1500.00",
                          today=date(2026, 1, 13), **OPCO)
    assert sorted((d.payer_kind, d.total_incl_vat) for d in settlement_drafts(contract)[1]) == [
        ("client", Decimal("900.00")), ("opco", Decimal("1500.00"))]


def test_an_avenant_adding_a_learner_drafts_what_the_new_price_adds_on_commit(
        django_capture_on_commit_callbacks):
    """A learner of the same client joins a signed inter-company convention: the avenant
    raises the price (a seat more), and settlement drafts the difference at once."""
    from ofelia.catalogue.seats import enrolment_create
    from ofelia.organisations.models import Learner
    from ofelia.sales.services import contract_from_enrolment

    org = make_organisation(slug="avenant")
    buyer = company(org)
    contract = signed_contract(org, client=buyer, signed=date(2026, 1, 12),
                               start=date(2026, 3, 16))
    _settle_and_issue(contract, date(2026, 1, 13))
    assert _invoiced_net(contract) == {"client": Decimal("2400.00")}
    # The convention was signed for a head count of one: naming that learner changes nothing,
    # a second one is a seat more.
    for first_name in ("Anne", "Paul"):
        learner = Learner.objects.create(organisation=org, company=buyer, civility="m",
                                         first_name=first_name, last_name="Salarié",
                                         email=f"{first_name.lower()}@example.fr")
        enrolment = enrolment_create(actor=None, organisation=org, session=contract.session,
                                     learner=learner)
        with clock.frozen(datetime(2026, 2, 2, 9, 0)), \
                django_capture_on_commit_callbacks(execute=True):
            contract_from_enrolment(actor=None, enrolment=enrolment)
    contract.refresh_from_db()
    assert contract.amendments.count() == 2 and contract.price == Decimal("4800.00")
    # Settlement may credit the first invoice and invoice the new price: the net is the seat.
    credits, invoices, _ = settlement_drafts(contract)
    assert sum(i.total_incl_vat for i in invoices) - sum(c.total_incl_vat for c in credits) == Decimal("2400.00")
    settlement_issue(actor=None, contract=contract, on=date(2026, 2, 2))
    assert _invoiced_net(contract) == _owed_by_simulate(contract, date(2026, 2, 2))


def test_can_d1_fee_invoice_pdf_describes_the_cancellation_not_a_delivery():
    from io import BytesIO

    from pypdf import PdfReader

    from ofelia.billing.pdf import invoice_pdf

    org = make_organisation(slug="frais-pdf")
    contract = signed_contract(org, client=company(org), signed=date(2026, 1, 12),
                               start=date(2026, 3, 16))
    _settle_and_issue(contract, date(2026, 1, 13))
    contract_event_record(actor=None, contract=contract, type="cancellation", by="client",
                          reason="other", on=date(2026, 3, 6), as_of=date(2026, 3, 6))
    issued = _settle_and_issue(contract, date(2026, 3, 6))
    [fee] = [d for d in issued if d.purpose == "fee"]
    [price] = [d for d in issued if d.kind == "credit_note"]
    fee_text, price_text = (" ".join(" ".join(
        p.extract_text() for p in PdfReader(BytesIO(invoice_pdf(d))).pages).split())
        for d in (fee, price.credited_invoice))
    assert "Prestation le" not in fee_text and "Objet Dédommagement" in fee_text
    assert "l'annulation ou l'abandon de la formation prévue le 16 mars 2026" in fee_text
    assert "Prestation le 16 mars 2026" in price_text  # the price invoice still names its delivery
