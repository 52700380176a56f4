"""Staff lists of quotes and contracts: search, filters, pages of 50 and CSV export.

The pipeline shows the work in columns; these lists find one document among thousands and
hand the selection to a spreadsheet (French conventions, see `ofelia.core.exports`).
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ofelia.core.exports import csv_response
from ofelia.core.tenancy import tenant_required
from ofelia.organisations.models import STAFF_ROLES

from . import selectors
from .models import Contract, Quote

MAX_QUERY = 100


def _date(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _filters(request: HttpRequest, statuses: list[tuple[str, str]]) -> dict[str, Any]:
    """The filters as understood: an unknown status or a malformed date is ignored, not a 500."""
    status = request.GET.get("status", "")
    return {
        "q": request.GET.get("q", "").strip()[:MAX_QUERY],
        "status": status if status in dict(statuses) else "",
        "start": _date(request.GET.get("du", "")),
        "end": _date(request.GET.get("au", "")),
    }


def _query(filters: dict[str, Any]) -> str:
    params = {"q": filters["q"], "status": filters["status"],
              "du": filters["start"].isoformat() if filters["start"] else "",
              "au": filters["end"].isoformat() if filters["end"] else ""}
    return urlencode({k: v for k, v in params.items() if v})


def _fr_amount(value: Any) -> str:
    return f"{value:.2f}".replace(".", ",")


def _fr_day(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def _client_search(q: str) -> Q:
    return (Q(number__icontains=q) | Q(client_company__name__icontains=q)
            | Q(consumer__last_name__icontains=q) | Q(consumer__first_name__icontains=q)
            | Q(session__training__title__icontains=q))


def _filtered(qs: QuerySet[Any], filters: dict[str, Any], *, date_field: str, search: Q) -> QuerySet[Any]:
    if filters["q"]:
        qs = qs.filter(search)
    if filters["status"]:
        qs = qs.filter(status=filters["status"])
    if filters["start"]:
        qs = qs.filter(**{f"{date_field}__gte": filters["start"]})
    if filters["end"]:
        qs = qs.filter(**{f"{date_field}__lte": filters["end"]})
    return qs


def filtered_quotes(*, organisation: Any, filters: dict[str, Any]) -> QuerySet[Quote]:
    return _filtered(selectors.quote_list(organisation=organisation), filters, date_field="issued_on",
                     search=_client_search(filters["q"]))


def filtered_contracts(*, organisation: Any, filters: dict[str, Any]) -> QuerySet[Contract]:
    return _filtered(selectors.contract_list(organisation=organisation), filters, date_field="start_date",
                     search=_client_search(filters["q"]) | Q(title__icontains=filters["q"]))


def _list(request: HttpRequest, *, statuses: list[tuple[str, str]], find: Any, name: str,
          header: list[str], row: Any, template: str) -> HttpResponse:
    """One list page: the filters, then either the CSV of the whole selection or a page of 50."""
    filters = _filters(request, statuses)
    found = find(organisation=request.organisation, filters=filters)  # type: ignore[attr-defined]
    if request.GET.get("format") == "csv":
        return csv_response(name, header, (row(item) for item in found.iterator(chunk_size=500)))
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    return render(request, template, {"page": page, "filters": filters, "statuses": statuses,
                                      "query": _query(filters)})


@tenant_required(*STAFF_ROLES)
def quote_list(request: HttpRequest) -> HttpResponse:
    return _list(request, statuses=list(Quote.Status.choices), find=filtered_quotes, name="devis",
                 header=["Numéro", "Client", "Formation", "Émis le", "Valable jusqu'au", "Statut",
                         "Total HT", "TVA (%)", "Total TTC"],
                 row=lambda q: [q.number, q.client_name, q.session.training.title if q.session else "",
                                _fr_day(q.issued_on), _fr_day(q.valid_until), q.get_status_display(),
                                _fr_amount(q.total_excl_vat()), _fr_amount(q.vat_rate),
                                _fr_amount(q.total_incl_vat())],
                 template="sales/quote_list.html")


@tenant_required(*STAFF_ROLES)
def contract_list(request: HttpRequest) -> HttpResponse:
    return _list(request, statuses=list(Contract.Status.choices), find=filtered_contracts, name="contrats",
                 header=["Numéro", "Type", "Client", "Intitulé", "Début", "Fin", "Statut", "Prix HT",
                         "TVA (%)", "Signé le"],
                 row=lambda c: [c.number, c.get_kind_display(), str(c.client or ""), c.title,
                                _fr_day(c.start_date), _fr_day(c.end_date), c.status_label,
                                _fr_amount(c.price), _fr_amount(c.vat_rate), _fr_day(c.signed_on)],
                 template="sales/contract_list.html")
