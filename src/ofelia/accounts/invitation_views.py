"""Invitation pages: staff invite (administrators invite staff too); the invitee accepts."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST

from ofelia.core.middleware import SESSION_ORGANISATION_KEY
from ofelia.core.tenancy import tenant_required
from ofelia.organisations.models import CompanyContact, Learner, Role

from . import invitations
from .forms import InvitationAcceptForm, InvitationForm
from .models import Invitation

STAFF = (Role.ADMINISTRATOR, Role.STAFF)


def _target(request: HttpRequest, model: type, key: str) -> Any:
    value = request.GET.get(key) or request.POST.get(key) or ""
    if not value.isdigit():
        return None
    found = model.objects.for_organisation(request.organisation).filter(pk=int(value)).first()  # type: ignore[attr-defined]
    if found is None:
        raise Http404
    return found


@tenant_required(*STAFF)
def invitation_list(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    role = request.membership.role  # type: ignore[attr-defined]
    learner: Learner | None = _target(request, Learner, "apprenant")
    contact: CompanyContact | None = _target(request, CompanyContact, "contact")
    initial: dict[str, Any] = {}
    if learner is not None:
        initial = {"email": learner.email, "role": Role.LEARNER}
    if contact is not None:
        initial = {"email": contact.email, "role": Role.CLIENT_CONTACT, "company": contact.company_id}
    form = InvitationForm(request.POST or None, initial=initial, organisation=organisation,
                          roles=invitations.INVITABLE_ROLES[role])
    if request.method == "POST" and form.is_valid():
        try:
            invitation = invitations.invitation_send(
                actor=request.user, actor_role=role, organisation=organisation,
                email=form.cleaned_data["email"], role=form.cleaned_data["role"],
                company=form.cleaned_data["company"], learner=learner, contact=contact,
                site_url=request.build_absolute_uri("/"))
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error)
        else:
            messages.success(request, f"Invitation envoyée à {invitation.email} (valable 7 jours).")
            return redirect("invitation-list")
    sent = (Invitation.objects.for_organisation(organisation)
            .select_related("company", "learner", "created_by").order_by("-created_at"))
    return render(request, "accounts/invitation_list.html", {
        "form": form, "learner": learner, "contact": contact,
        "page": Paginator(sent, 50).get_page(request.GET.get("page")),
    })


@require_POST
@tenant_required(*STAFF)
def invitation_resend(request: HttpRequest, pk: int) -> HttpResponse:
    """A new link for the same person and role; the previous link stops working."""
    organisation = request.organisation  # type: ignore[attr-defined]
    old = Invitation.objects.for_organisation(organisation).filter(pk=pk).first()
    if old is None:
        raise Http404
    try:
        invitation = invitations.invitation_send(
            actor=request.user, actor_role=request.membership.role,  # type: ignore[attr-defined]
            organisation=organisation, email=old.email, role=old.role, company=old.company,
            learner=old.learner, contact=old.contact, site_url=request.build_absolute_uri("/"))
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        messages.success(request, f"Nouvelle invitation envoyée à {invitation.email} ; l'ancien lien ne fonctionne plus.")
    return redirect("invitation-list")


@csrf_protect
@never_cache
def invitation_accept(request: HttpRequest, secret: str) -> HttpResponse:
    invitation = invitations.invitation_by_secret(secret)
    if invitation is None:
        return render(request, "accounts/invitation_invalid.html", {"message": invitations.INVALID_LINK}, status=410)
    existing_account = invitations.account_exists(invitation.email)
    form = InvitationAcceptForm(request.POST or None, initial=_initial_names(invitation))
    if existing_account:
        form = None  # type: ignore[assignment]
    if request.method == "POST" and (form is None or form.is_valid()):
        data = form.cleaned_data if form is not None else {}
        try:
            _invitation, user = invitations.invitation_accept(
                secret=secret, password=data.get("password1"), first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
                signed_in_user=request.user if request.user.is_authenticated else None)
        except ValidationError as error:
            if form is None:
                messages.error(request, " ".join(error.messages))
            elif hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error)
        else:
            if request.user != user:  # signs out whoever else was signed in on this browser
                login(request, user, backend="ofelia.accounts.backends.EmailOrUsernameBackend")
            request.session[SESSION_ORGANISATION_KEY] = invitation.organisation_id
            messages.success(request, f"Bienvenue ! Votre accès à {invitation.organisation} est ouvert.")
            return redirect("home")
    return render(request, "accounts/invitation_accept.html",
                  {"form": form, "invitation": invitation, "existing_account": existing_account})


def _initial_names(invitation: Invitation) -> dict[str, str]:
    person = invitation.learner or invitation.contact
    if person is None:
        return {}
    return {"first_name": person.first_name, "last_name": person.last_name}
