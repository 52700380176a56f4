"""Billing pages: invoices, payments, credit notes, refunds, funding plans, reports (staff),
and the client's invoices in the extranet. Thin: services write, selectors read."""

from __future__ import annotations

import logging
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import BadRequest
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from ofelia.core import clock
from ofelia.core.tenancy import tenant_required
from ofelia.organisations.models import Role
from ofelia.rules.french import fr_date

from . import charts, contract_invoices, exports, funding, refunds, selectors, services, settlement
from .forms import (
    CreditNoteForm,
    DepositForm,
    FundingForm,
    PaymentForm,
    PayOnlineForm,
    RefundForm,
    RefundPayForm,
)
from .letters import letter_bytes
from .models import DunningStep, InvoiceStatus, PayerKind, PaymentMethod, Refund
from .pdf import invoice_filename, invoice_pdf

logger = logging.getLogger(__name__)

STAFF = (Role.ADMINISTRATOR, Role.STAFF)
EXTRANET = (Role.CLIENT_CONTACT, Role.CONSUMER)


def _org(request: HttpRequest) -> Any:
    return request.organisation  # type: ignore[attr-defined]


def _file(content: bytes | str, filename: str, content_type: str, inline: bool = False) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    how = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{how}; filename="{filename}"'
    return response


def _invoice_or_404(request: HttpRequest, pk: int) -> Any:
    invoice = selectors.invoice_get(organisation=_org(request), pk=pk)
    if invoice is None:
        raise Http404
    return invoice


# --- staff: invoices ---------------------------------------------------------------------

@tenant_required(*STAFF)
def invoice_list(request: HttpRequest) -> HttpResponse:
    today = clock.today()
    filters = {k: request.GET.get(k, "") for k in ("status", "payer", "overdue", "age", "q", "kind")}
    qs = selectors.invoice_list(organisation=_org(request), filters=filters, today=today)
    if request.GET.get("format") == "csv":
        return _file(exports.invoices_csv(qs.iterator()), f"factures-{today:%Y%m%d}.csv",
                     "text/csv; charset=utf-8")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    query = urlencode({k: v for k, v in filters.items() if v})
    return render(request, "billing/invoice_list.html", {
        "page": page, "filters": filters, "query": query, "today": today,
        "statuses": InvoiceStatus.choices, "payers": PayerKind.choices,
        "ages": selectors.AGEING_BUCKETS,
    })


@tenant_required(*STAFF)
def invoice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from .shop import order_of_invoice

    invoice = _invoice_or_404(request, pk)
    today = clock.today()
    return render(request, "billing/invoice_detail.html", {
        "order": order_of_invoice(invoice),
        "invoice": invoice, "lines": invoice.lines.all(), "today": today,
        "allocations": invoice.allocations.select_related("payment"),
        "credit_notes": invoice.credit_notes.all(),
        "steps": invoice.dunning_steps.all(),
        "penalty": getattr(invoice, "penalty", None) if hasattr(invoice, "penalty") else None,
        "refunds": [(r, r.is_overdue(today)) for r in invoice.refunds.all()],
        "refundable": refunds.refundable(invoice) if invoice.kind == "invoice" else Decimal(0),
        "payment_form": PaymentForm(initial={"received_on": today, "amount": invoice.balance,
                                             "allocate": invoice.balance,
                                             "reference": f"Facture {invoice.number}"}),
        "credit_form": CreditNoteForm(), "refund_form": RefundForm(initial={"due_on": today}),
        "refund_pay_form": RefundPayForm(initial={"paid_on": today}),
        # Paid by card or SEPA through Stripe: a refund goes back the same way.
        "paid_online": invoice.allocations.filter(
            payment__provider_reference__isnull=False,
            payment__method__in=(PaymentMethod.CARD, PaymentMethod.SEPA)).exists(),
    })


@tenant_required(*STAFF)
def invoice_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = _invoice_or_404(request, pk)
    if invoice.is_draft:
        raise Http404
    return _file(invoice_pdf(invoice), invoice_filename(invoice), "application/pdf", inline=True)


@tenant_required(*STAFF)
@require_POST
def invoice_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    invoice = _invoice_or_404(request, pk)
    actor, target = request.user, invoice
    try:
        if action == "issue":
            if invoice.kind == "credit_note":
                # A credit note drafted by settlement: issued against its invoice.
                services.credit_note_finalise(actor=actor, note=invoice)
            elif invoice.contract_id:
                settlement.draft_invoice_issue(actor=actor, draft=invoice, on=clock.today())
            else:
                services.invoice_issue(actor=actor, invoice=invoice)
            messages.success(request, f"Facture émise : {selectors.invoice_get(organisation=_org(request), pk=pk)}.")
        elif action == "payment":
            form = PaymentForm(request.POST)
            if not form.is_valid():
                raise services.BillingError("Paiement incomplet : moyen, montant et date sont requis.")
            data = form.cleaned_data
            part = data["allocate"] if data["allocate"] is not None else data["amount"]
            services.payment_record(
                actor=actor, organisation=_org(request), method=data["method"], amount=data["amount"],
                received_on=data["received_on"], reference=data["reference"],
                payer_name=invoice.buyer_name, allocations=[(invoice, part)] if part else [])
            messages.success(request, "Paiement enregistré et affecté.")
        elif action == "credit":
            form = CreditNoteForm(request.POST)
            if not form.is_valid():
                raise services.BillingError("Le motif de l'avoir est obligatoire.")
            lines = None
            if form.cleaned_data["amount"]:
                lines = [{"description": f"Avoir partiel sur {invoice} : {form.cleaned_data['reason']}",
                          "unit_price": form.cleaned_data["amount"]}]
            target = services.credit_note_issue(actor=actor, invoice=invoice, lines=lines,
                                                reason=form.cleaned_data["reason"])
            messages.success(request, f"{target} émis.")
        elif action == "refund":
            form = RefundForm(request.POST)
            if not form.is_valid():
                raise services.BillingError("Montant et date limite du remboursement requis.")
            refunds.refund_create(actor=actor, invoice=invoice, **form.cleaned_data)
            messages.success(request, "Remboursement programmé.")
        else:
            raise Http404
    except services.BillingError as refused:
        messages.error(request, str(refused))
        target = invoice
    return redirect("billing:invoice-detail", pk=target.pk)


@tenant_required(*STAFF)
@require_POST
def refund_pay(request: HttpRequest, pk: int) -> HttpResponse:
    refund = Refund.objects.for_organisation(_org(request)).filter(pk=pk).first()
    if refund is None:
        raise Http404
    form = RefundPayForm(request.POST)
    try:
        if not form.is_valid():
            raise services.BillingError("Moyen et date du remboursement requis.")
        refunds.refund_pay(actor=request.user, refund=refund, **form.cleaned_data)
        messages.success(request, "Remboursement effectué.")
    except services.BillingError as refused:
        messages.error(request, str(refused))
    return redirect("billing:invoice-detail", pk=refund.invoice_id) if refund.invoice_id \
        else redirect("billing:invoice-list")


@tenant_required(*STAFF)
@require_POST
def refund_online(request: HttpRequest, pk: int) -> HttpResponse:
    """A refund back to the card or SEPA account the client paid with, through Stripe."""
    from .online import refund_online as send

    refund = Refund.objects.for_organisation(_org(request)).filter(pk=pk).first()
    if refund is None:
        raise Http404
    try:
        send(actor=request.user, refund=refund)
        messages.success(request, "Remboursement effectué par Stripe.")
    except services.BillingError as refused:
        messages.error(request, str(refused))
    except Exception:  # the gateway (keys, network, provider): a message, never a 500
        logger.exception("Refund %s failed at the gateway", refund.pk)
        messages.error(request, "Stripe n'a pas pu traiter le remboursement (service indisponible "
                                "ou clés non configurées) : rien n'a été enregistré. Réessayez plus "
                                "tard, ou remboursez par virement.")
    return redirect("billing:invoice-detail", pk=refund.invoice_id) if refund.invoice_id \
        else redirect("billing:invoice-list")


@tenant_required(*STAFF)
def dunning_letter(request: HttpRequest, pk: int) -> HttpResponse:
    step = (DunningStep.objects.for_organisation(_org(request)).select_related("invoice")
            .filter(pk=pk, step="formal_notice").first())
    if step is None:
        raise Http404
    return _file(letter_bytes(step), f"mise-en-demeure-{step.invoice.number}.pdf",
                 "application/pdf", inline=True)


# --- staff: a contract's funding plan and invoices ----------------------------------------

def _contract_or_404(request: HttpRequest, pk: int) -> Any:
    from ofelia.sales.models import Contract

    contract = Contract.objects.for_organisation(_org(request)).filter(pk=pk).first()
    if contract is None:
        raise Http404
    return contract


def _contract_billing_context(request: HttpRequest, contract: Any) -> dict[str, Any]:
    today = clock.today()
    overview = selectors.contract_billing_overview(organisation=_org(request), contract=contract)
    return {"contract": contract, "today": today, **overview,
            "refund_rows": [(r, r.is_overdue(today)) for r in overview["refunds"]],
            "has_drafts": bool(overview["draft_credit_notes"] or overview["draft_invoices"]
                               or overview["draft_refunds"])}


@tenant_required(*STAFF)
def contract_billing(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract_or_404(request, pk)
    today = clock.today()
    plan, problem = None, ""
    if contract.signed_on is not None:
        try:
            plan = funding.funding_plan(contract, as_of=today)
        except services.BillingError as exc:
            problem = str(exc)
    payers = [(p, funding.PAYER_LABELS.get(p, p), plan.of(p),
               contract_invoices.invoiced_already(contract, p)) for p in plan.payers()] if plan else []
    return render(request, "billing/contract_billing.html", {
        **_contract_billing_context(request, contract),
        "plan": plan, "payers": payers, "problem": problem,
        "entries": contract.funding.all(), "funding_plan": funding.plan_of(contract),
        "funding_form": FundingForm(), "deposit_form": DepositForm(),
    })


@tenant_required(*STAFF)
def contract_panel(request: HttpRequest, pk: int) -> HttpResponse:
    """The contract hub's billing panel (an HTML fragment loaded with htmx)."""
    contract = _contract_or_404(request, pk)
    return render(request, "billing/contract_panel.html", _contract_billing_context(request, contract))


@tenant_required(*STAFF)
@require_POST
def contract_billing_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    contract = _contract_or_404(request, pk)
    actor = request.user
    try:
        if action == "invoice":
            payer = request.POST.get("payer", "")
            draft = contract_invoices.invoice_from_contract(actor=actor, contract=contract, payer=payer)
            messages.success(request, "Brouillon de facture prêt : vérifiez-le puis émettez-le.")
            return redirect("billing:invoice-detail", pk=draft.pk)
        if action == "funding":
            form = FundingForm(request.POST)
            if not form.is_valid():
                raise services.BillingError("Financement incomplet : " + " ".join(
                    str(e) for errs in form.errors.values() for e in errs))
            data = dict(form.cleaned_data)
            funding.funding_entry_add(actor=actor, contract=contract, **data)
            messages.success(request, "Financement ajouté au plan.")
        elif action == "deposit":
            form = DepositForm(request.POST)
            amount = form.cleaned_data["amount"] if form.is_valid() else None
            invoice = contract_invoices.deposit_invoice_create(actor=actor, contract=contract, amount=amount)
            messages.success(request, f"Facture d'acompte {invoice.number} émise.")
        elif action == "settle":
            result = settlement.contract_settle(contract=contract, actor=actor)
            if result.problems:
                raise services.BillingError(" ; ".join(result.problems))
            messages.success(request, "Brouillons recalculés selon les conditions du contrat."
                             if result.changed else "Rien à changer : la facturation est à jour.")
        elif action == "issue-drafts":
            done = settlement.settlement_issue(actor=actor, contract=contract)
            messages.success(request, f"{len(done)} document(s) émis ou programmé(s) : "
                             + ", ".join(str(x) for x in done) + ".")
        else:
            raise Http404
    except services.BillingError as refused:
        messages.error(request, str(refused))
    if request.POST.get("next") == "panel":
        return redirect("sales:contract-detail", pk=pk)
    return redirect("billing:contract-billing", pk=pk)


# --- staff: reports ------------------------------------------------------------------------

@tenant_required(*STAFF)
def receivables(request: HttpRequest) -> HttpResponse:
    today = clock.today()
    buckets = selectors.ageing(organisation=_org(request), today=today)
    if request.GET.get("format") == "csv":
        return _file(exports.ageing_csv((b.label, b.amount, b.count) for b in buckets),
                     f"balance-agee-{today:%Y%m%d}.csv", "text/csv; charset=utf-8")
    chart = charts.bar_chart([(b.label, b.amount) for b in buckets],
                             title=f"Créances au {fr_date(today)} par ancienneté")
    return render(request, "billing/receivables.html", {
        "buckets": buckets, "chart": mark_safe(chart), "today": today,  # noqa: S308 (built and escaped by charts)
        "total": sum((b.amount for b in buckets), Decimal("0.00")),
    })


@tenant_required(*STAFF)
def revenue(request: HttpRequest) -> HttpResponse:
    today = clock.today()
    raw = request.GET.get("annee", str(today.year))
    year = int(raw) if raw.strip().isdigit() and len(raw.strip()) <= 4 else 0
    if not 2000 <= year <= today.year + 10:
        raise BadRequest(f"Année « {raw} » invalide : une année entre 2000 et {today.year + 10} "
                         "est attendue (paramètre annee).")
    rows = selectors.revenue_by_funder(organisation=_org(request), start=date(year, 1, 1),
                                       end=date(year, 12, 31))
    if request.GET.get("format") == "csv":
        return _file(exports.revenue_csv(rows), f"chiffre-affaires-{year}.csv", "text/csv; charset=utf-8")
    chart = charts.bar_chart(rows, title=f"Chiffre d'affaires HT {year} par financeur")
    return render(request, "billing/revenue.html", {
        "rows": rows, "chart": mark_safe(chart), "year": year,  # noqa: S308
        "total": sum((v for _, v in rows), Decimal("0.00")),
    })


# --- extranet ------------------------------------------------------------------------------

def _mine(request: HttpRequest) -> Any:
    return selectors.invoices_of_member(organisation=_org(request),
                                        membership=request.membership,  # type: ignore[attr-defined]
                                        user=request.user)


def _my_invoice(request: HttpRequest, pk: int) -> Any:
    invoice = _mine(request).filter(pk=pk).first()
    if invoice is None:
        raise Http404
    return invoice


def _payable(invoice: Any) -> bool:
    return invoice.kind == "invoice" and invoice.status == "issued" and invoice.balance > 0


@tenant_required(*EXTRANET)
def my_invoices(request: HttpRequest) -> HttpResponse:
    """The client's invoices with the state staff see: overdue (as receivables age it,
    instalments included) with the penalties collections assessed, and the instalments the
    terms offer only where they offer them (PAY-L1)."""
    from .online import invoice_instalment_counts

    today = clock.today()
    page = Paginator(_mine(request).select_related("penalty").prefetch_related("refunds"), 25
                     ).get_page(request.GET.get("page"))
    late = {invoice.pk: (amount, days) for invoice, amount, days in
            selectors.overdue_invoices(organisation=_org(request), today=today, only=[i.pk for i in page])}
    rows = [(i, _payable(i), late.get(i.pk), getattr(i, "penalty", None) if i.pk in late else None) for i in page]
    offers_instalments = any(payable and len(invoice_instalment_counts(i)) > 1 for i, payable, _, _ in rows)
    return render(request, "billing/extranet_invoices.html", {
        "page": page, "rows": rows, "today": today, "offers_instalments": offers_instalments})


@tenant_required(*EXTRANET)
def my_invoice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = _my_invoice(request, pk)
    return _file(invoice_pdf(invoice), invoice_filename(invoice), "application/pdf", inline=True)


def _my_payable_invoice(request: HttpRequest, pk: int) -> Any:
    """The client's own invoice still to pay, or None with a French message (a link edited
    by hand, another client's invoice, an invoice already paid): nothing is changed."""
    invoice = _mine(request).filter(pk=pk).select_related("organisation").first()
    if invoice is None:
        messages.error(request, "Ce lien de paiement ne correspond à aucune de vos factures : "
                                "choisissez la facture à payer dans la liste.")
        return None
    if not _payable(invoice):
        messages.info(request, f"La facture {invoice.number} n'a plus rien à payer.")
        return None
    return invoice


@tenant_required(*EXTRANET)
def my_invoice_pay(request: HttpRequest, pk: int) -> HttpResponse:
    """« Payer »: by card where a gateway is configured, by bank transfer (details and EPC QR
    code) where the organisation gave its account. A gateway error of any kind is a French
    message on the page: nothing is changed (the checkout is written in one transaction)."""
    from .gateways import card_gateway
    from .online import invoice_instalment_counts, pay_invoice_online
    from .transfer import transfer_details

    invoice = _my_payable_invoice(request, pk)
    if invoice is None:
        return redirect("billing:my-invoices")
    gateway = card_gateway()
    form = None
    if gateway is not None:
        try:
            counts = invoice_instalment_counts(invoice)
        except Exception:  # terms unreadable: the invoice is still payable at once
            logger.exception("Instalment choices of invoice %s unavailable", invoice.pk)
            counts = (1,)
        form = PayOnlineForm(prefix="pay", counts=counts)
    if request.method == "POST":
        if form is None:
            messages.error(request, "Le paiement par carte n'est pas proposé par l'organisme : "
                                    "réglez par virement avec les coordonnées ci-dessous.")
            return redirect("billing:my-invoice-pay", pk=invoice.pk)
        # Any count the product knows is read; the service refuses, naming the clause, a
        # count these terms do not offer (PAY-L1).
        posted = PayOnlineForm(request.POST, prefix="pay")
        count = posted.cleaned_data["instalments"] if posted.is_valid() else 1
        try:
            checkout = pay_invoice_online(
                actor=request.user, invoice=invoice, instalments=count, gateway=gateway,
                success_url=request.build_absolute_uri("/espace/factures/?paiement=merci"),
                cancel_url=request.build_absolute_uri("/espace/factures/?paiement=annule"))
        except services.BillingError as refused:
            messages.error(request, str(refused))
            return redirect("billing:my-invoice-pay", pk=invoice.pk)
        except Exception:  # the gateway (network, keys, provider): never a 500 for the client
            logger.exception("Card checkout of invoice %s failed at the gateway", invoice.pk)
            messages.error(request, "Le paiement par carte est momentanément indisponible ; rien "
                                    "n'a été débité. Réessayez plus tard ou payez par virement.")
            return redirect("billing:my-invoice-pay", pk=invoice.pk)
        return redirect(checkout.payment_url)
    from .shop import awaiting_order_of

    return render(request, "billing/extranet_pay.html", {
        "invoice": invoice, "form": form, "transfer": transfer_details(invoice),
        "organisation": invoice.organisation, "order": awaiting_order_of(invoice)})


@tenant_required(*EXTRANET)
def my_invoice_transfer_qr(request: HttpRequest, pk: int) -> HttpResponse:
    """The EPC QR code of the transfer paying the invoice, as SVG (an <img>, CSP-safe)."""
    from .transfer import epc_qr_svg, transfer_details

    details = transfer_details(_my_invoice(request, pk))
    if details is None:
        raise Http404
    response = HttpResponse(epc_qr_svg(details), content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"
    return response


@tenant_required(Role.CONSUMER)
def my_order_pay(request: HttpRequest, pk: int) -> HttpResponse:
    """« Payer ma commande »: the consumer's order leads to the invoice to pay now."""
    from ofelia.sales.models import Order

    from .shop import order_invoice_to_pay

    order = (Order.objects.for_organisation(_org(request))  # type: ignore[attr-defined]
             .filter(pk=pk, consumer__user=request.user).select_related("contract").first())
    if order is None:
        messages.error(request, "Ce lien ne correspond à aucune de vos commandes.")
        return redirect("sales:my-trainings")
    if order.status != Order.Status.AWAITING_PAYMENT:
        messages.info(request, f"La commande {order.number} est {order.get_status_display()} : "
                               "rien n'est à payer.")
        return redirect("sales:my-trainings")
    invoice = order_invoice_to_pay(order)
    if invoice is None:
        messages.error(request, f"La facture de la commande {order.number} n'est pas encore "
                                "prête : l'organisme a été prévenu, réessayez un peu plus tard.")
        return redirect("sales:my-trainings")
    return redirect("billing:my-invoice-pay", pk=invoice.pk)
