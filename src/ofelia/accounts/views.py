from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from ofelia.organisations.selectors import organisation_by_slug

from .forms import LoginForm, SignupForm, ThrottledPasswordResetForm
from .services import consumer_signup


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


@csrf_protect
@never_cache
def logout_view(request: HttpRequest) -> HttpResponse:
    """GET asks for confirmation (a link must not sign anyone out); POST signs out."""
    if request.method == "POST":
        logout(request)
        messages.success(request, _("You are signed out."))
        return redirect("login")
    return render(request, "accounts/logout_confirm.html")


class PasswordResetView(auth_views.PasswordResetView):
    form_class = ThrottledPasswordResetForm
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "request": self.request}


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


@csrf_protect
@never_cache
def signup(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = organisation_by_slug(slug=slug)
    if organisation is None:
        raise Http404
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            user, _consumer = consumer_signup(
                organisation=organisation, data=data, password=data["password1"]
            )
        except ValidationError:
            # A client record with this address exists (entered by staff): the organisation
            # invites that person instead, so that nobody takes over a record by signing up.
            form.add_error("email", "L'organisme a déjà une fiche client à cette adresse : demandez-lui "
                                    "une invitation par e-mail pour ouvrir votre accès.")
            return render(request, "accounts/signup.html", {"form": form, "organisation": organisation})
        login(request, user, backend="ofelia.accounts.backends.EmailOrUsernameBackend")
        messages.success(request, _("Your account has been created. Welcome!"))
        # An online order sends visitors here with ?next= (same site only).
        next_url = request.GET.get("next", "")
        if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
            return redirect(next_url)
        return redirect("home")
    return render(request, "accounts/signup.html", {"form": form, "organisation": organisation})
