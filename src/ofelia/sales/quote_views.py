"""Quotes in the extranet: the client (client contact of the company, or the consumer) reads
them, downloads the PDF, accepts online (terms version, IP and time recorded) or declines."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ofelia.core import clock
from ofelia.core.tenancy import tenant_required
from ofelia.organisations.models import Role

from . import documents, selectors, services
from .models import Quote, TermsAcceptance

CLIENTS = (Role.CLIENT_CONTACT, Role.CONSUMER)


class QuoteOnlineAcceptForm(forms.Form):
    agree = forms.BooleanField(
        label="J'accepte ce devis et les conditions générales dans la version indiquée.",
        error_messages={"required": "Cochez la case pour accepter le devis et les conditions "
                                    "générales."})


class QuoteDeclineForm(forms.Form):
    reason = forms.CharField(label="Motif (facultatif)", required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))


def accept_url(request: HttpRequest, quote: Quote) -> str:
    """The absolute address of the quote in the client's extranet (for e-mails and PDFs)."""
    return request.build_absolute_uri(reverse("sales:my-quote", args=[quote.pk]))


def member_scope(request: HttpRequest) -> dict[str, Any]:
    """Who asks, as the extranet selectors take it (organisation, membership, user)."""
    return {"organisation": request.organisation,  # type: ignore[attr-defined]
            "membership": request.membership,  # type: ignore[attr-defined]
            "user": request.user}


def _my_quote(request: HttpRequest, pk: int) -> Quote:
    quote = selectors.quotes_of_member(**member_scope(request)).filter(pk=pk).first()
    if quote is None:
        raise Http404
    return quote


@tenant_required(*CLIENTS)
def my_quotes(request: HttpRequest) -> HttpResponse:
    quotes = list(selectors.quotes_of_member(**member_scope(request))[:100])
    return render(request, "sales/extranet_quotes.html",
                  {"quotes": quotes, "today": clock.today(),
                   "consumer": request.membership.role == Role.CONSUMER})  # type: ignore[attr-defined]


@tenant_required(*CLIENTS)
def my_quote(request: HttpRequest, pk: int) -> HttpResponse:
    quote = _my_quote(request, pk)
    return render(request, "sales/extranet_quote.html", {
        "quote": quote, "today": clock.today(), "terms": documents.quote_terms(quote),
        "accept_form": QuoteOnlineAcceptForm(), "decline_form": QuoteDeclineForm(),
        "acceptance": quote.acceptances.order_by("-accepted_at").first(),
        "consumer": request.membership.role == Role.CONSUMER,  # type: ignore[attr-defined]
    })


@tenant_required(*CLIENTS)
def my_quote_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    quote = _my_quote(request, pk)
    response = HttpResponse(documents.render_quote_pdf(quote, accept_url=accept_url(request, quote)),
                            content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="devis-{quote.number}.pdf"'
    return response


@tenant_required(*CLIENTS)
@require_POST
def my_quote_accept(request: HttpRequest, pk: int) -> HttpResponse:
    quote = _my_quote(request, pk)
    form = QuoteOnlineAcceptForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["agree"]))
        return redirect("sales:my-quote", pk=pk)
    user = request.user
    try:
        services.quote_accept(
            actor=user, quote=quote, user=user,
            accepted_by_name=user.get_full_name() or user.email,  # type: ignore[union-attr]
            method=TermsAcceptance.Method.ONLINE_EXTRANET)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Devis {quote.number} accepté. L'organisme de formation "
                                  "prépare la convention et revient vers vous.")
    return redirect("sales:my-quote", pk=pk)


@tenant_required(*CLIENTS)
@require_POST
def my_quote_decline(request: HttpRequest, pk: int) -> HttpResponse:
    quote = _my_quote(request, pk)
    form = QuoteDeclineForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    if not form.is_valid():
        messages.error(request, "Motif : 2 000 caractères au plus.")
        return redirect("sales:my-quote", pk=pk)
    try:
        services.quote_reject(actor=request.user, quote=quote, reason=reason)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Devis {quote.number} refusé ; l'organisme en est informé.")
    return redirect("sales:my-quote", pk=pk)
