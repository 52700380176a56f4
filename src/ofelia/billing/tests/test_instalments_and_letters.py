"""Later instalments charged off-session (PAY-L1), dunning on refusal, formal notice letter."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ofelia.billing.collections import run_collections
from ofelia.billing.gateways import FakeGateway
from ofelia.billing.letters import letter_bytes, letters_generate
from ofelia.billing.models import (
    CheckoutStatus,
    DunningStep,
    Instalment,
    Invoice,
    InvoiceStatus,
    Payment,
)
from ofelia.billing.online import checkout_create, instalments_charge_due, stripe_event_process
from ofelia.billing.services import invoice_create_draft, invoice_issue
from ofelia.core.models import AuditEntry
from ofelia.policies import policy_in_force

from .conftest import draft_fields

pytestmark = pytest.mark.django_db


def _paid_first(organisation, count=3):
    draft = invoice_create_draft(actor=None, organisation=organisation, **draft_fields(
        buyer_kind="consumer", late_penalty_rule="PEN-D1", payment_delay_days=0,
        lines=[{"description": "Formation en ligne", "unit_price": "1200.00"}]))
    invoice = invoice_issue(actor=None, invoice=draft, issue_date=date(2025, 3, 10))
    checkout = checkout_create(actor=None, organisation=organisation, order_reference="CMD-3X",
                               amount="1200.00", amount_excl_vat="1200.00", instalments=count,
                               policy=policy_in_force("laporte", date(2025, 6, 1)),
                               gateway=FakeGateway(), invoice=invoice, ordered_on=date(2025, 3, 10))
    stripe_event_process({"id": "evt_first", "type": "payment_intent.succeeded", "data": {"object": {
        "id": "pi_first", "amount": 40000, "amount_received": 40000, "customer": "cus_1",
        "payment_method": "pm_1", "payment_method_types": ["card"],
        "metadata": {"checkout_id": str(checkout.pk), "organisation_id": str(organisation.pk),
                     "instalment": "1"}}}})
    checkout.refresh_from_db()
    return checkout, invoice


def test_pay_l1_later_instalments_charged_on_their_due_dates_once(organisation):
    checkout, invoice = _paid_first(organisation)
    assert checkout.payment_method_reference == "pm_1"
    gateway = FakeGateway()
    assert instalments_charge_due(as_of=date(2025, 4, 9), gateway=gateway) == {"charged": 0, "failed": 0}
    assert instalments_charge_due(as_of=date(2025, 4, 10), gateway=gateway) == {"charged": 1, "failed": 0}
    assert gateway.calls[0]["payment_method"] == "pm_1" and gateway.calls[0]["amount"] == Decimal("400.00")
    # Run twice the same day: nothing more charged.
    assert instalments_charge_due(as_of=date(2025, 4, 10), gateway=gateway) == {"charged": 0, "failed": 0}
    # The webhook of the same intent comes later: recorded once.
    stripe_event_process({"id": "evt_2", "type": "payment_intent.succeeded", "data": {"object": {
        "id": "pi_fake_" + gateway.calls[0]["idempotency_key"], "amount": 40000,
        "amount_received": 40000, "payment_method_types": ["card"],
        "metadata": {"checkout_id": str(checkout.pk), "organisation_id": str(organisation.pk),
                     "instalment": "2"}}}})
    assert Payment.objects.count() == 2
    instalments_charge_due(as_of=date(2025, 5, 10), gateway=gateway)
    checkout.refresh_from_db()
    invoice.refresh_from_db()
    assert checkout.status == CheckoutStatus.PAID and invoice.status == InvoiceStatus.PAID
    assert len(gateway.calls) == 2


def test_pay_l1_refused_later_instalment_starts_dunning_without_voiding(organisation):
    checkout, invoice = _paid_first(organisation)
    gateway = FakeGateway(decline_with="Fonds insuffisants")
    assert instalments_charge_due(as_of=date(2025, 4, 10), gateway=gateway) == {"charged": 0, "failed": 1}
    checkout.refresh_from_db()
    assert checkout.status == CheckoutStatus.OPEN
    step = DunningStep.objects.get(invoice=invoice)
    assert step.step == "reminder" and step.rule == "PAY-L1" and "Fonds insuffisants" in step.explanation
    assert Instalment.objects.get(checkout=checkout, position=2).failure_reason == "Fonds insuffisants"
    assert AuditEntry.objects.filter(action="dunning.step", object_id=str(step.pk)).count() == 1
    # Not retried automatically: dunning takes over.
    assert instalments_charge_due(as_of=date(2025, 4, 11), gateway=gateway) == {"charged": 0, "failed": 0}


def test_formal_notice_letter_pdf_stored_once_and_each_step_audited(organisation):
    draft = invoice_create_draft(actor=None, organisation=organisation, **draft_fields())
    invoice = invoice_issue(actor=None, invoice=draft, issue_date=date(2025, 9, 10))
    run_collections(as_of=date(2025, 11, 1))
    steps = list(DunningStep.objects.filter(invoice=invoice).values_list("step", flat=True))
    assert "formal_notice" in steps
    assert AuditEntry.objects.filter(action="dunning.step").count() == len(steps)
    assert AuditEntry.objects.filter(action="dunning.step", object_repr=f"Facture {invoice.number} : "
                                     "Mise en demeure").count() == 1
    run_collections(as_of=date(2025, 11, 1))  # same day again: no new step, no new audit row
    assert AuditEntry.objects.filter(action="dunning.step").count() == len(steps)
    assert letters_generate() == 1
    assert letters_generate() == 0
    notice = DunningStep.objects.get(invoice=invoice, step="formal_notice")
    pdf = letter_bytes(notice)
    assert pdf.startswith(b"%PDF") and notice.letter_generated_at is not None
    assert bytes(DunningStep.objects.get(pk=notice.pk).letter_pdf) == pdf
    assert Invoice.objects.get(pk=invoice.pk).status == InvoiceStatus.ISSUED
