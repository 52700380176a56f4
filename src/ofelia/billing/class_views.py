"""Staff: draft the consumption invoice of a virtual class (VCL-6) from its page."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from ofelia.core.tenancy import tenant_required
from ofelia.hosting.selectors import class_get
from ofelia.organisations.models import Role

from .services import BillingError
from .virtual_classes import class_invoice_draft


@tenant_required(Role.ADMINISTRATOR, Role.STAFF)
@require_POST
def class_invoice(request: HttpRequest, pk: int) -> HttpResponse:
    klass = class_get(organisation=request.organisation, membership=request.membership, pk=pk)  # type: ignore[attr-defined]
    if klass is None:
        raise Http404
    try:
        invoice = class_invoice_draft(actor=request.user, klass=klass)
    except BillingError as exc:
        messages.error(request, str(exc))
        return redirect("hosting:class", pk=pk)
    messages.success(request, "Facture de consommation préparée en brouillon : vérifiez-la, puis émettez-la.")
    return redirect("billing:invoice-detail", pk=invoice.pk)
