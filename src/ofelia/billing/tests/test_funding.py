"""Funding plans, invoices from a contract's computed charges, deposits, refunds (FUN, PAY, RET-3)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.test import Client

from ofelia.billing.contract_invoices import deposit_invoice_create, invoice_from_contract
from ofelia.billing.funding import funding_entry_add, funding_plan
from ofelia.billing.models import FundingPlan, Invoice, InvoiceStatus, Refund
from ofelia.billing.refunds import refund_pay
from ofelia.billing.services import BillingError, payment_record
from ofelia.billing.settlement import contract_settle, settlement_drafts, settlement_issue
from ofelia.core import clock
from ofelia.core.models import AuditEntry
from ofelia.organisations.models import Role
from ofelia.organisations.testing import make_member
from ofelia.sales.services import contract_event_record

from .conftest import make_organisation
from .contracts import company, consumer, signed_contract

pytestmark = pytest.mark.django_db
OPCO = {"funder_name": "OPCO Atlas", "funder_address": "25 quai Panhard\n75013 Paris"}


def _writes() -> tuple[int, int, int]:
    return Invoice.objects.count(), AuditEntry.objects.count(), Refund.objects.count()


def test_plan_splits_the_price_per_payer_from_the_rules_outcome():
    org = make_organisation()
    contract = signed_contract(org, client=company(org), signed=date(2026, 1, 12),
                               start=date(2026, 3, 16))
    funding_entry_add(actor=None, contract=contract, payer="opco", amount="1500.00",
                      today=date(2026, 1, 13), **OPCO)
    plan = funding_plan(contract, as_of=date(2026, 1, 20))
    amounts = {(x.payer, x.kind): x.amount for x in plan.lines}
    assert amounts[("opco", "price")] == Decimal("1500.00")
    assert amounts[("client", "price")] == Decimal("900.00")
    opco = invoice_from_contract(actor=None, contract=contract, payer="opco",
                                 as_of=date(2026, 1, 20), issue=True)
    assert opco.buyer_name == "OPCO Atlas" and opco.total_incl_vat == Decimal("1500.00")
    assert opco.lines.get().rule == "FUN-D1"
    with pytest.raises(BillingError, match="déjà facturé"):
        invoice_from_contract(actor=None, contract=contract, payer="opco", as_of=date(2026, 1, 21))


def _credit_drafts(contract) -> list[int]:
    return [n.credited_invoice_id for n in settlement_drafts(contract)[0]]


def _assert_client_rebilled_once(contract, amount: Decimal, on: date) -> None:
    """Settlement drafted the client's invoice of the whole price; issued that day, the
    next run writes nothing."""
    assert contract_settle(contract=contract, as_of=on).changed is False  # run twice: nothing
    settlement_issue(actor=None, contract=contract, on=on)
    whole = Invoice.objects.get(contract=contract, payer_kind="client", status="issued",
                                kind="invoice")
    assert whole.total_incl_vat == amount and whole.issue_date == on
    before = _writes()
    assert contract_settle(contract=contract, as_of=on + timedelta(days=1)).changed is False
    assert _writes() == before


def test_fun_d1_day_8_rebills_the_whole_price_to_the_client_once():
    org = make_organisation()
    contract = signed_contract(org, client=company(org), signed=date(2026, 1, 12),
                               start=date(2026, 3, 16))
    funding_entry_add(actor=None, contract=contract, payer="opco", amount="1500.00",
                      requested_on=date(2026, 1, 13), today=date(2026, 1, 13), **OPCO)
    client_part = invoice_from_contract(actor=None, contract=contract, payer="client",
                                        as_of=date(2026, 1, 20), issue=True)
    assert client_part.total_incl_vat == Decimal("900.00")
    # Day 8 after the first day (16/03) is 24/03: nothing to correct yet on that day (the
    # OPCO's own share, still owed, is proposed).
    contract_settle(contract=contract, as_of=date(2026, 3, 24))
    assert _credit_drafts(contract) == []
    assert [(d.payer_kind, d.total_incl_vat) for d in settlement_drafts(contract)[1]] == [
        ("opco", Decimal("1500.00"))]
    assert contract_settle(contract=contract, as_of=date(2026, 3, 25)).changed
    assert _credit_drafts(contract) == [client_part.pk]
    assert "FUN-D1" in settlement_drafts(contract)[0][0].reason
    _assert_client_rebilled_once(contract, Decimal("2400.00"), date(2026, 3, 25))
    client_part.refresh_from_db()
    assert client_part.status == InvoiceStatus.CANCELLED
    assert FundingPlan.objects.get(contract=contract).client_rebilled_on == date(2026, 3, 25)


def test_can_l1_opco_refusal_after_the_order_credits_its_invoice_and_bills_the_client_once():
    org = make_organisation(slug="laporte-opco", policy_id="laporte")
    contract = signed_contract(org, client=consumer(org), signed=date(2026, 3, 1),
                               start=date(2026, 3, 31), price="1999.00", at_distance=True)
    funding_entry_add(actor=None, contract=contract, payer="opco", amount="1000.00",
                      today=date(2026, 3, 1), **OPCO)
    opco = invoice_from_contract(actor=None, contract=contract, payer="opco",
                                 as_of=date(2026, 3, 2), issue=True)
    rest = invoice_from_contract(actor=None, contract=contract, payer="client",
                                 as_of=date(2026, 3, 2), issue=True)
    assert (opco.total_incl_vat, rest.total_incl_vat) == (Decimal("1000.00"), Decimal("999.00"))
    assert contract_settle(contract=contract, as_of=date(2026, 3, 10)).changed is False
    contract_event_record(actor=None, contract=contract, type="funding_refused", payer="opco",
                          on=date(2026, 3, 10), as_of=date(2026, 3, 10))
    assert contract_settle(contract=contract, as_of=date(2026, 3, 11)).changed
    _assert_client_rebilled_once(contract, Decimal("1999.00"), date(2026, 3, 11))
    opco.refresh_from_db()
    rest.refresh_from_db()
    assert opco.status == rest.status == InvoiceStatus.CANCELLED
    note = Invoice.objects.get(kind="credit_note", credited_invoice=opco)
    assert "CAN-L1" in note.reason


def test_fun_d1_agreement_received_in_time_changes_nothing():
    org = make_organisation()
    contract = signed_contract(org, client=company(org), signed=date(2026, 1, 12),
                               start=date(2026, 3, 16))
    funding_entry_add(actor=None, contract=contract, payer="opco", amount="1500.00",
                      agreement_on=date(2026, 3, 24), today=date(2026, 1, 13), **OPCO)
    contract_settle(contract=contract, as_of=date(2026, 4, 1))
    assert _credit_drafts(contract) == []
    assert sorted((d.payer_kind, d.total_incl_vat) for d in settlement_drafts(contract)[1]) == [
        ("client", Decimal("900.00")), ("opco", Decimal("1500.00"))]


def test_opco_without_subrogation_the_client_is_invoiced_everything():
    org = make_organisation()
    contract = signed_contract(org, client=company(org), signed=date(2026, 1, 12),
                               start=date(2026, 3, 16))
    funding_entry_add(actor=None, contract=contract, payer="opco", amount="1500.00",
                      subrogation=False, today=date(2026, 1, 13), **OPCO)
    plan = funding_plan(contract, as_of=date(2026, 1, 20))
    assert plan.payers() == ["client"]
    assert sum(x.amount for x in plan.of("client")) == Decimal("2400.00")


def test_fun_l1_cpf_remaining_charge_and_exemption():
    org = make_organisation(slug="laporte", policy_id="laporte")
    person = consumer(org)
    contract = signed_contract(org, client=person, signed=date(2026, 3, 1), start=date(2026, 3, 31),
                               price="1490.00", at_distance=True)
    funding_entry_add(actor=None, contract=contract, payer="cpf", rights="800.00",
                      today=date(2026, 3, 1))
    plan = funding_plan(contract, as_of=date(2026, 3, 1))
    amounts = {(x.payer, x.kind): x.amount for x in plan.lines}
    assert amounts[("learner", "remaining_charge")] == Decimal("690.00")
    assert amounts[("cpf", "price")] == Decimal("800.00")
    rest = invoice_from_contract(actor=None, contract=contract, payer="learner",
                                 as_of=date(2026, 3, 1))
    assert rest.buyer_name.startswith("Paul") and rest.total_incl_vat == Decimal("690.00")


def test_l441_10_a_funder_under_terms_without_penalty_clause_gets_the_statutory_mention():
    """The contract's clauses govern its invoices whoever pays (as in the rules core); where
    they are silent, a professional payer gets the statutory terms, a consumer none."""
    org = make_organisation(slug="laporte9", policy_id="laporte")
    contract = signed_contract(org, client=consumer(org), signed=date(2026, 3, 1), start=date(2026, 3, 31),
                               price="1490.00", at_distance=True)
    funding_entry_add(actor=None, contract=contract, payer="opco", amount="800.00",
                      today=date(2026, 3, 1), **OPCO)
    opco = invoice_from_contract(actor=None, contract=contract, payer="opco", as_of=date(2026, 3, 2))
    learner = invoice_from_contract(actor=None, contract=contract, payer="client", as_of=date(2026, 3, 2))
    assert (opco.late_penalty_rule, opco.recovery_fee_applies) == ("L441-10", True)
    assert "L441-10" in opco.late_penalty_mention and "40 €" in opco.late_penalty_mention
    assert (learner.late_penalty_rule, learner.late_penalty_mention) == ("", "")


def test_fun_l2_late_france_travail_request_is_refused_naming_the_rule_and_nothing_written():
    org = make_organisation(slug="laporte2", policy_id="laporte")
    contract = signed_contract(org, client=consumer(org), signed=date(2026, 3, 1),
                               start=date(2026, 3, 31), price="1490.00", at_distance=True)
    funding_entry_add(actor=None, contract=contract, payer="cpf", rights="800.00",
                      today=date(2026, 3, 1))
    before = _writes()
    with pytest.raises(BillingError, match=r"FUN-L2.*3 mars 2026.*date limite du 2 mars 2026"):
        funding_entry_add(actor=None, contract=contract, payer="france_travail",
                          requested_on=date(2026, 3, 3), today=date(2026, 3, 3))
    assert _writes() == before and contract.funding.count() == 1
    funding_entry_add(actor=None, contract=contract, payer="france_travail",
                      requested_on=date(2026, 3, 2), today=date(2026, 3, 2))


def test_fun_l4_faf_cannot_fund_a_cpf_training():
    org = make_organisation(slug="laporte3", policy_id="laporte")
    contract = signed_contract(org, client=consumer(org), signed=date(2026, 3, 1),
                               start=date(2026, 3, 31), price="1490.00", at_distance=True)
    funding_entry_add(actor=None, contract=contract, payer="cpf", rights="800.00",
                      today=date(2026, 3, 1))
    with pytest.raises(BillingError, match="FAF"):
        funding_entry_add(actor=None, contract=contract, payer="faf", today=date(2026, 3, 1))
    assert contract.funding.count() == 1


def test_funding_refuses_missing_facts():
    org = make_organisation()
    contract = signed_contract(org, client=company(org), signed=date(2026, 1, 12),
                               start=date(2026, 3, 16))
    with pytest.raises(BillingError, match="montant pris en charge"):
        funding_entry_add(actor=None, contract=contract, payer="opco", today=date(2026, 1, 13))
    with pytest.raises(BillingError, match="Financeur inconnu"):
        funding_entry_add(actor=None, contract=contract, payer="banque", today=date(2026, 1, 13))
    funding_entry_add(actor=None, contract=contract, payer="opco", amount="100",
                      today=date(2026, 1, 13))
    with pytest.raises(BillingError, match="nom et l'adresse de facturation"):
        invoice_from_contract(actor=None, contract=contract, payer="opco", as_of=date(2026, 1, 20))


def test_pay_f1_formagogy_deposit_is_30_percent_at_order():
    org = make_organisation(slug="formagogy", policy_id="formagogy")
    contract = signed_contract(org, client=company(org), signed=date(2026, 1, 12),
                               start=date(2026, 3, 16), price="2000.00")
    with pytest.raises(BillingError, match="fixé par les conditions"):
        deposit_invoice_create(actor=None, contract=contract, amount="700", on=date(2026, 1, 12))
    deposit = deposit_invoice_create(actor=None, contract=contract, on=date(2026, 1, 12))
    assert deposit.total_incl_vat == Decimal("600.00") and deposit.lines.get().rule == "PAY-F1"
    assert deposit.status == InvoiceStatus.ISSUED


def test_pay_d1_dixneuf_first_payment_refused_before_the_retraction_end_and_above_30_percent():
    org = make_organisation()
    contract = signed_contract(org, client=consumer(org), signed=date(2026, 1, 12),
                               start=date(2026, 3, 16))
    ends = funding_plan(contract, as_of=date(2026, 1, 12)).outcome["deadlines"]["retraction_ends"]
    first_day = date.fromisoformat(ends).toordinal() + 1
    before = _writes()
    with pytest.raises(BillingError, match=r"PAY-D1/RET-3.*avant la fin du délai de rétractation"):
        deposit_invoice_create(actor=None, contract=contract, amount="700",
                               on=date.fromordinal(first_day - 1))
    with pytest.raises(BillingError, match=r"PAY-D1.*dépasse le premier versement maximal de 30 %"):
        deposit_invoice_create(actor=None, contract=contract, amount="720.01",
                               on=date.fromordinal(first_day))
    assert _writes() == before
    ok = deposit_invoice_create(actor=None, contract=contract, amount="720.00",
                                on=date.fromordinal(first_day))
    assert ok.total_incl_vat == Decimal("720.00")


def test_ret_3_refund_within_14_days_after_a_retraction_flagged_when_overdue():
    org = make_organisation()
    person = consumer(org)
    contract = signed_contract(org, client=person, signed=date(2026, 1, 12), start=date(2026, 3, 16),
                               at_distance=True)
    invoice = invoice_from_contract(actor=None, contract=contract, payer="client",
                                    as_of=date(2026, 1, 13), issue=True)
    payment_record(actor=None, organisation=org, method="transfer", amount="300",
                   received_on=date(2026, 1, 14), allocations=[(invoice, "300")])
    contract_event_record(actor=None, contract=contract, type="retraction", on=date(2026, 1, 20),
                          as_of=date(2026, 1, 20))
    contract.refresh_from_db()
    contract_settle(contract=contract, as_of=date(2026, 1, 20))
    settlement_issue(actor=None, contract=contract, on=date(2026, 1, 20))
    refunds = list(Refund.objects.filter(contract=contract))
    assert [(r.amount, r.due_on, r.rule, r.status) for r in refunds] == [
        (Decimal("300.00"), date(2026, 2, 3), "RET-3", "due")]
    assert contract_settle(contract=contract, as_of=date(2026, 1, 21)).changed is False
    refund = refunds[0]
    assert not refund.is_overdue(date(2026, 2, 3)) and refund.is_overdue(date(2026, 2, 4))
    refund_pay(actor=None, refund=refund, method="transfer", paid_on=date(2026, 2, 2))
    invoice.refresh_from_db()
    assert invoice.amount_paid == Decimal("0.00") and invoice.balance == Decimal("0.00")
    refund.refresh_from_db()
    assert not refund.is_overdue(date(2026, 3, 1))


def _late_formagogy_contract(slug: str):
    """A FORMAGOGY service due on 2 February 2026, its 30 % deposit (600 €) paid."""
    org = make_organisation(slug=slug, policy_id="formagogy")
    contract = signed_contract(org, client=company(org), signed=date(2026, 1, 12),
                               start=date(2026, 2, 2), price="2000.00")
    deposit = deposit_invoice_create(actor=None, contract=contract, on=date(2026, 1, 12))
    payment_record(actor=None, organisation=org, method="transfer", amount="600",
                   received_on=date(2026, 1, 15), allocations=[(deposit, "600")])
    return org, contract, deposit


def _rescind(contract, on: date) -> None:
    contract_event_record(actor=None, contract=contract, type="rescission", on=on, as_of=on)
    contract.refresh_from_db()


def test_prv_f1_rescission_for_late_delivery_refunds_the_deposit_paid_at_once():
    _org, contract, deposit = _late_formagogy_contract("formagogy-late")
    contract_settle(contract=contract, as_of=date(2026, 5, 1))
    assert _credit_drafts(contract) == [] and settlement_drafts(contract)[2] == []
    # Start 2 February + 3 calendar months = 2 May: rescission possible from 3 May.
    _rescind(contract, date(2026, 5, 3))
    contract_settle(contract=contract, as_of=date(2026, 5, 4))
    settlement_issue(actor=None, contract=contract, on=date(2026, 5, 4))
    refunds = list(Refund.objects.filter(contract=contract))
    assert [(r.amount, r.due_on, r.rule) for r in refunds] == [
        (Decimal("600.00"), date(2026, 5, 4), "PRV-F1")]
    note = Invoice.objects.get(kind="credit_note", credited_invoice=deposit)
    assert note.reason == "Résolution pour retard de fourniture du 3 mai 2026 (PRV-F1)"
    assert contract_settle(contract=contract, as_of=date(2026, 5, 5)).changed is False


def test_prv_f1_contract_billing_page_schedules_the_rescission_refunds(client):
    org, contract, _deposit = _late_formagogy_contract("formagogy-page")
    _rescind(contract, date(2026, 5, 3))
    url = f"/facturation/contrats/{contract.pk}/"
    client.force_login(make_member(org, Role.STAFF))
    with clock.frozen(datetime(2026, 5, 4, 9, 0)):
        client.post(f"{url}settle/")
        page = client.get(url).content.decode()
        assert "Émettre les brouillons" in page and "(PRV-F1)" in page
        client.post(f"{url}issue-drafts/")
        after = client.get(url).content.decode()
    assert Refund.objects.get(contract=contract).rule == "PRV-F1"
    assert "600,00" in after and "(PRV-F1)" in after
    outsider = Client()
    outsider.force_login(make_member(make_organisation(slug="autre-org"), Role.STAFF))
    assert outsider.get(url).status_code == 404
    learner = Client()
    learner.force_login(make_member(org, Role.LEARNER))
    assert learner.get(url).status_code == 403
