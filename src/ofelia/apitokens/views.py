"""Staff page: the organisation's API tokens, create (secret shown once) and revoke."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from ofelia.core.tenancy import tenant_required
from ofelia.organisations.models import Role

from . import services
from .models import ApiToken

STAFF = (Role.ADMINISTRATOR, Role.STAFF)


@tenant_required(*STAFF)
@never_cache
def token_list(request: HttpRequest) -> HttpResponse:
    org = request.organisation  # type: ignore[attr-defined]
    clear = None
    if request.method == "POST":
        try:
            _token, clear = services.api_token_create(actor=request.user, organisation=org,
                                                      label=request.POST.get("label", ""))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    tokens = ApiToken.objects.for_organisation(org).select_related("created_by", "revoked_by")
    return render(request, "apitokens/token_list.html", {"tokens": tokens, "clear": clear})


@tenant_required(*STAFF)
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = ApiToken.objects.for_organisation(request.organisation).filter(pk=pk).first()  # type: ignore[attr-defined]
    if token is None:
        raise Http404
    try:
        services.api_token_revoke(actor=request.user, token=token)
        messages.success(request, f"Jeton « {token.label} » révoqué.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("apitokens:list")
