"""Staff list of the shop's online orders: search, filter by status, CSV export."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode

from ofelia.core.exports import csv_text
from ofelia.core.tenancy import tenant_required
from ofelia.organisations.models import Role
from ofelia.rules.money import fmt_eur

from .models import Order


def orders_filtered(organisation: object, *, query: str, status: str) -> QuerySet[Order]:
    orders = (Order.objects.for_organisation(organisation)  # type: ignore[attr-defined]
              .select_related("consumer", "contract__session__training", "organisation"))
    if status in Order.Status.values:
        orders = orders.filter(status=status)
    if query:
        orders = orders.filter(Q(number__icontains=query) | Q(consumer__last_name__icontains=query)
                               | Q(consumer__first_name__icontains=query)
                               | Q(consumer__email__icontains=query)
                               | Q(contract__session__training__title__icontains=query))
    return orders.order_by("-ordered_at", "-id")


def _deadline(order: Order) -> str:
    if order.status != Order.Status.AWAITING_PAYMENT:
        return ""
    return date_format(order.payment_deadline.due_on, "j F Y")


@tenant_required(Role.ADMINISTRATOR, Role.STAFF)
def order_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    status = request.GET.get("statut", "")
    orders = orders_filtered(request.organisation, query=query, status=status)  # type: ignore[attr-defined]
    if request.GET.get("format") == "csv":
        rows = ([o.number, date_format(timezone.localtime(o.ordered_at), "d/m/Y H:i"), str(o.consumer),
                 o.consumer.email, o.contract.title, fmt_eur(o.amount_incl_vat), o.instalments,
                 o.get_status_display(), _deadline(o),
                 date_format(timezone.localtime(o.paid_at), "d/m/Y H:i") if o.paid_at else "",
                 o.voided_reason] for o in orders.iterator(chunk_size=500))
        response = HttpResponse(csv_text(
            ["Numéro", "Commandée le", "Client", "E-mail", "Formation", "Montant TTC", "Échéances",
             "Statut", "À payer avant le", "Payée le", "Motif d'annulation"], rows),
            content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="commandes.csv"'
        return response
    page = Paginator(orders, 50).get_page(request.GET.get("page"))
    params = {k: v for k, v in (("q", query), ("statut", status)) if v}
    return render(request, "sales/order_list.html", {
        "page": page, "rows": [(o, _deadline(o)) for o in page], "q": query, "status": status,
        "statuses": Order.Status.choices, "query": urlencode(params),
        "csv_query": urlencode({**params, "format": "csv"})})
