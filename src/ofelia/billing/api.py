"""`/api/v1` resources of billing: invoices, payments, credit notes, refunds and funding plans.

Staff of the current organisation only (session cookie with CSRF on writes, or an API
token when that app is installed); every read is scoped to the organisation, so another
organisation's ids answer 404. A refusal answers 409 with the French reason.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, JsonResponse
from ninja import Field, Router, Schema, Status
from ninja.security import SessionAuth

from ofelia.core import clock
from ofelia.core.validators import (
    BusinessDate,
    Limit,
    Money,
    Offset,
    ReceivedOn,
    ShortText,
    Text,
)
from ofelia.organisations.models import STAFF_ROLES

from . import contract_invoices, funding, selectors, services
from .models import Invoice, Payment

try:  # Bearer tokens when the API-token app is there; the session always works.
    from ofelia.apitokens.auth import ApiTokenAuth

    AUTH: list[Any] = [ApiTokenAuth(), SessionAuth()]
except ImportError:  # pragma: no cover - depends on the installed apps
    AUTH = [SessionAuth()]

router = Router(tags=["facturation"], auth=AUTH)
PROBLEM = "application/problem+json"


def _problem(status: int, title: str, detail: str) -> JsonResponse:
    return JsonResponse({"type": "about:blank", "title": title, "status": status, "detail": detail},
                        status=status, content_type=PROBLEM, json_dumps_params={"ensure_ascii": False})


def _org(request: HttpRequest) -> Any:
    membership = getattr(request, "membership", None)
    if membership is None or membership.role not in STAFF_ROLES:
        return None
    return request.organisation  # type: ignore[attr-defined]


def _denied() -> JsonResponse:
    return _problem(403, "Accès refusé", "Réservé à l'administration de l'organisme.")


def _not_found(what: str) -> JsonResponse:
    return _problem(404, "Introuvable", f"{what} introuvable dans cet organisme.")


class LineOut(Schema):
    description: str
    quantity: Decimal
    unit_price: Decimal
    vat_rate: Decimal
    amount_incl_vat: Decimal
    rule: str
    explanation: str


class InvoiceOut(Schema):
    id: int
    kind: str
    number: str
    status: str
    payer_kind: str
    buyer_name: str
    issue_date: date | None
    due_date: date | None
    total_excl_vat: Decimal
    total_vat: Decimal
    total_incl_vat: Decimal
    amount_paid: Decimal
    amount_credited: Decimal
    balance: Decimal
    source_reference: str
    credited_invoice_id: int | None
    contract_id: int | None = None
    purpose: str = "other"


class InvoiceDetailOut(InvoiceOut):
    lines: list[LineOut]


class AllocationIn(Schema):
    invoice: int
    amount: Money


class PaymentIn(Schema):
    method: ShortText
    amount: Money
    received_on: ReceivedOn
    reference: ShortText = ""
    payer_name: ShortText = ""
    allocations: list[AllocationIn] = Field(default=[], max_length=100)


class PaymentOut(Schema):
    id: int
    method: str
    status: str
    amount: Decimal
    allocated: Decimal
    received_on: date
    reference: str


class CreditNoteIn(Schema):
    reason: ShortText
    amount_excl_vat: Money | None = None


class FundingIn(Schema):
    payer: ShortText
    amount: Money | None = None
    agreement_on: BusinessDate | None = None
    rights: Money | None = None
    exempt: bool = False
    requested_on: BusinessDate | None = None
    subrogation: bool | None = None
    funder_name: ShortText = ""
    funder_address: Text = ""


class PlanLineOut(Schema):
    payer: str
    kind: str
    amount: Decimal
    vat: Decimal
    rule: str
    explanation: str
    due_on: date | None


class PlanOut(Schema):
    contract_id: int
    lines: list[PlanLineOut]
    warnings: list[str]


def _detail(invoice: Invoice) -> dict[str, Any]:
    return {**InvoiceOut.from_orm(invoice).dict(), "balance": invoice.balance,
            "lines": [LineOut.from_orm(x).dict() for x in invoice.lines.all()]}


@router.get("/invoices", response={200: list[InvoiceOut], 403: dict})
def invoices(request: HttpRequest, status: str = "", payer: str = "", overdue: bool = False,
             kind: str = "", limit: Limit = 100, offset: Offset = 0) -> Any:
    org = _org(request)
    if org is None:
        return _denied()
    filters = {"status": status, "payer": payer, "overdue": "1" if overdue else "", "kind": kind}
    qs = selectors.invoice_list(organisation=org, filters=filters, today=clock.today())
    return list(qs[offset:offset + limit])


@router.get("/invoices/{invoice_id}", response={200: InvoiceDetailOut, 403: dict, 404: dict})
def invoice(request: HttpRequest, invoice_id: int) -> Any:
    org = _org(request)
    if org is None:
        return _denied()
    found = selectors.invoice_get(organisation=org, pk=invoice_id)
    return _not_found("Facture") if found is None else _detail(found)


@router.post("/invoices/{invoice_id}/issue", response={200: InvoiceDetailOut, 403: dict, 404: dict, 409: dict})
def invoice_issue(request: HttpRequest, invoice_id: int) -> Any:
    org = _org(request)
    if org is None:
        return _denied()
    found = selectors.invoice_get(organisation=org, pk=invoice_id)
    if found is None:
        return _not_found("Facture")
    try:
        return _detail(services.invoice_issue(actor=request.user, invoice=found))
    except services.BillingError as refused:
        return _problem(409, "Émission refusée", str(refused))


@router.post("/invoices/{invoice_id}/credit-notes",
             response={201: InvoiceDetailOut, 403: dict, 404: dict, 409: dict})
def credit_note(request: HttpRequest, invoice_id: int, body: CreditNoteIn) -> Any:
    org = _org(request)
    if org is None:
        return _denied()
    found = selectors.invoice_get(organisation=org, pk=invoice_id)
    if found is None:
        return _not_found("Facture")
    lines = None
    if body.amount_excl_vat is not None:
        lines = [{"description": f"Avoir partiel sur {found} : {body.reason}",
                  "unit_price": body.amount_excl_vat}]
    try:
        note = services.credit_note_issue(actor=request.user, invoice=found, reason=body.reason,
                                          lines=lines)
    except services.BillingError as refused:
        return _problem(409, "Avoir refusé", str(refused))
    return Status(201, _detail(note))


@router.get("/payments", response={200: list[PaymentOut], 403: dict})
def payments(request: HttpRequest, limit: Limit = 100, offset: Offset = 0) -> Any:
    org = _org(request)
    if org is None:
        return _denied()
    return list(Payment.objects.for_organisation(org)[offset:offset + limit])


@router.post("/payments", response={201: PaymentOut, 403: dict, 404: dict, 409: dict})
def payment_create(request: HttpRequest, body: PaymentIn) -> Any:
    """A transfer or cheque; `allocations`: [{"invoice": id, "amount": "…"}]."""
    org = _org(request)
    if org is None:
        return _denied()
    wanted = []
    for item in body.allocations:
        target = selectors.invoice_get(organisation=org, pk=item.invoice)
        if target is None:
            return _not_found("Facture")
        wanted.append((target, item.amount))
    try:
        payment = services.payment_record(
            actor=request.user, organisation=org, method=body.method, amount=body.amount,
            received_on=body.received_on, reference=body.reference, payer_name=body.payer_name,
            allocations=wanted)
    except services.BillingError as refused:
        return _problem(409, "Paiement refusé", str(refused))
    return Status(201, payment)


@router.get("/contracts/{contract_id}/funding", response={200: PlanOut, 403: dict, 404: dict, 409: dict})
def funding_plan(request: HttpRequest, contract_id: int) -> Any:
    org = _org(request)
    if org is None:
        return _denied()
    contract = _contract(org, contract_id)
    if contract is None:
        return _not_found("Contrat")
    try:
        plan = funding.funding_plan(contract, as_of=clock.today())
    except services.BillingError as refused:
        return _problem(409, "Plan incalculable", str(refused))
    return {"contract_id": contract.pk, "lines": [x.__dict__ for x in plan.lines],
            "warnings": [str(w) for w in plan.outcome.get("warnings", [])]}


@router.post("/contracts/{contract_id}/funding", response={201: PlanOut, 403: dict, 404: dict, 409: dict})
def funding_add(request: HttpRequest, contract_id: int, body: FundingIn) -> Any:
    org = _org(request)
    if org is None:
        return _denied()
    contract = _contract(org, contract_id)
    if contract is None:
        return _not_found("Contrat")
    try:
        funding.funding_entry_add(actor=request.user, contract=contract, **body.dict())
        plan = funding.funding_plan(contract, as_of=clock.today())
    except services.BillingError as refused:
        return _problem(409, "Financement refusé", str(refused))
    return Status(201, {"contract_id": contract.pk, "lines": [x.__dict__ for x in plan.lines],
                        "warnings": [str(w) for w in plan.outcome.get("warnings", [])]})


@router.post("/contracts/{contract_id}/invoices/{payer}",
             response={201: InvoiceDetailOut, 403: dict, 404: dict, 409: dict})
def contract_invoice(request: HttpRequest, contract_id: int, payer: str) -> Any:
    """A draft invoice of what the rules core says `payer` owes on the contract."""
    org = _org(request)
    if org is None:
        return _denied()
    contract = _contract(org, contract_id)
    if contract is None:
        return _not_found("Contrat")
    try:
        draft = contract_invoices.invoice_from_contract(actor=request.user, contract=contract, payer=payer)
    except services.BillingError as refused:
        return _problem(409, "Facturation refusée", str(refused))
    return Status(201, _detail(draft))


def _contract(org: Any, pk: int) -> Any:
    from ofelia.sales.models import Contract

    return Contract.objects.for_organisation(org).filter(pk=pk).first()
