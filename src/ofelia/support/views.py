"""Support desk pages (SUP-1, SUP-2): the client's tickets in the extranet, the staff's
queue, ticket page and breaches report. Thin: selectors read, services write."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from ofelia.core import clock
from ofelia.core.tenancy import tenant_required
from ofelia.organisations.models import Role

from . import rules_io, selectors, services
from .forms import StepForm, TicketForm

STAFF = (Role.ADMINISTRATOR, Role.STAFF)


@tenant_required(Role.CLIENT_CONTACT)
def my_tickets(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    membership = request.membership  # type: ignore[attr-defined]
    allowed = services.may_open_tickets(membership)
    form = TicketForm(request.POST or None)
    if request.method == "POST" and allowed and form.is_valid():
        try:
            ticket = services.ticket_open(actor=request.user, organisation=organisation,
                                          membership=membership, **form.cleaned_data)
        except ValidationError as refused:
            form.add_error(None, refused)  # the services' keys are the forms' fields
        else:
            messages.success(request, f"Ticket n° {ticket.pk} déclaré : suivez ici sa prise en charge.")
            return redirect("support:my-ticket", pk=ticket.pk)
    return render(request, "support/my_tickets.html", {
        "form": form, "allowed": allowed, "now": clock.now(),
        "tickets": selectors.visible_tickets(organisation=organisation, membership=membership),
    })


@tenant_required(Role.CLIENT_CONTACT)
def my_ticket(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = selectors.ticket_get(organisation=request.organisation,  # type: ignore[attr-defined]
                                  membership=request.membership, pk=pk)  # type: ignore[attr-defined]
    if ticket is None:
        raise Http404
    return render(request, "support/ticket_detail.html", {"ticket": ticket, "staff": False,
                                                          "now": clock.now()})


@tenant_required(*STAFF)
def queue(request: HttpRequest) -> HttpResponse:
    show_resolved = request.GET.get("etat") == "tous"
    tickets = selectors.staff_queue(organisation=request.organisation,  # type: ignore[attr-defined]
                                    show_resolved=show_resolved)
    return render(request, "support/queue.html", {"tickets": tickets, "show_resolved": show_resolved,
                                                  "now": clock.now()})


@tenant_required(*STAFF)
def ticket_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    ticket = selectors.ticket_get(organisation=organisation, membership=request.membership,  # type: ignore[attr-defined]
                                  pk=pk)
    if ticket is None:
        raise Http404
    form = StepForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ticket = services.ticket_step(actor=request.user, organisation=organisation, ticket_id=pk,
                                          step=form.cleaned_data["step"], note=form.cleaned_data["note"])
        except ValidationError as refused:
            form.add_error(None, refused)  # the services' keys are the forms' fields
        else:
            messages.success(request, f"Ticket n° {ticket.pk} : {ticket.status_label.lower()}, "
                                      "le client est prévenu par courriel.")
            return redirect("support:ticket", pk=pk)
    return render(request, "support/ticket_detail.html", {
        "ticket": ticket, "staff": True, "form": form, "now": clock.now(),
        "breaches": rules_io.breaches_of(ticket, as_of=clock.now())})


@tenant_required(*STAFF)
def breaches(request: HttpRequest) -> HttpResponse:
    report = selectors.breach_report(organisation=request.organisation)  # type: ignore[attr-defined]
    bars = []
    width, gap, height = 48, 16, 160
    for i, (month, label, count) in enumerate(report.months):
        h = round(height * count / report.maximum) if report.maximum else 0
        bars.append({"x": 40 + i * (width + gap), "y": 20 + height - h, "h": h, "w": width,
                     "label": label, "count": count, "month": month})
    return render(request, "support/breaches.html", {
        "report": report, "bars": bars, "chart_width": 60 + len(bars) * (width + gap),
        "chart_height": height + 60, "baseline": 20 + height, "now": clock.now()})
