"""The consumption invoice of a virtual class (VCL-6), drafted from the class's metering
ledger by the rules core: one line per charge (usage, extension, outside hours, storage,
tools), each with its clause. Drafted once per class; staff issue it like any other."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction

from ofelia.core import clock
from ofelia.core.templatetags.ofelia_ui import outcome_label
from ofelia.hosting.models import VirtualClass
from ofelia.hosting.rules_io import consumption_of
from ofelia.simulator.terms import policy_terms

from .contract_invoices import company_buyer
from .models import ClassInvoice, Invoice, InvoicePurpose, PayerKind
from .services import BillingError, invoice_create_draft
from .terms import terms_from_policy


def _vat_rate(charge: dict[str, Any]) -> Decimal:
    amount, vat = Decimal(charge["amount"]), Decimal(charge["vat"])
    return (vat * 100 / amount).quantize(Decimal("1")) if amount else Decimal("0")


@transaction.atomic
def class_invoice_draft(*, actor: Any, klass: VirtualClass) -> Invoice:
    """The class's consumption invoice, drafted now if it does not exist yet."""
    klass = VirtualClass.objects.select_for_update().select_related("organisation", "company").get(pk=klass.pk)
    link = ClassInvoice.objects.filter(virtual_class=klass).select_related("invoice").first()
    if link is not None:
        return link.invoice
    if klass.is_cancelled:
        raise BillingError("Classe annulée sans frais (CAN-V1) : rien à facturer.")
    used = consumption_of(klass, now=clock.now())
    if not used.final:
        raise BillingError("La classe n'est pas terminée : la facture de consommation se prépare après "
                           "sa dernière journée (VCL-6).")
    charges = [c for c in used.charges if Decimal(c["amount"]) > 0]
    if not charges:
        raise BillingError("Aucune consommation à facturer pour cette classe.")
    policy = policy_terms(organisation=klass.organisation, policy_id=klass.policy_id, version=klass.policy_version)
    buyer = company_buyer(klass.company)
    terms = terms_from_policy(policy, buyer_kind=buyer["buyer_kind"])
    lines = [{"description": f"{outcome_label(c['kind'])} — {c['explanation']}", "quantity": "1",
              "unit_price": c["amount"], "vat_rate": _vat_rate(c), "rule": c["rule"]} for c in charges]
    invoice = invoice_create_draft(
        actor=actor, organisation=klass.organisation, payer_kind=PayerKind.CLIENT,
        vat_exempt=all(Decimal(c["vat"]) == 0 for c in charges),
        service_start=klass.start.astimezone(clock.PARIS).date(),
        service_end=klass.ends_at().astimezone(clock.PARIS).date(),
        source_reference=f"classe-virtuelle/{klass.pk}", purpose=InvoicePurpose.CONSUMPTION,
        lines=lines, **{**terms.as_fields(), **buyer})
    ClassInvoice.objects.create(virtual_class=klass, invoice=invoice)
    return invoice


def class_invoices_due(*, actor: Any = None) -> dict[str, Any]:
    """The daily job: draft the consumption invoice of every class over and not yet billed."""
    now = clock.now()
    billed = ClassInvoice.objects.values_list("virtual_class_id", flat=True)
    drafted, problems = 0, []
    candidates = (VirtualClass.objects.filter(status=VirtualClass.Status.ORDERED, start__lt=now)
                  .exclude(pk__in=billed).select_related("organisation", "company"))
    for klass in candidates.iterator():
        if klass.ends_at() > now:
            continue
        try:
            class_invoice_draft(actor=actor, klass=klass)
            drafted += 1
        except BillingError as exc:
            problems.append(f"{klass}: {exc}")
    return {"drafted": drafted, "problems": problems}
