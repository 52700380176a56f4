from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ofelia.core import throttle
from ofelia.core.middleware import client_ip
from ofelia.organisations.models import Civility
from ofelia.organisations.validators import validate_phone

from . import throttling

User = get_user_model()


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Email or username"),
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    error_messages = {
        "invalid_login": _("Incorrect username or password."),
        "inactive": _("This account is disabled. Contact your training organisation."),
        "throttled": _(
            "Too many failed sign-in attempts. For your security, try again in 15 minutes "
            "or reset your password."
        ),
    }

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        ip = client_ip(self.request) if self.request is not None else None
        # Counted before the check: concurrent guesses on several workers share the limit.
        if username and not throttling.attempt(username, ip):
            raise ValidationError(self.error_messages["throttled"], code="throttled")
        cleaned = super().clean()
        if username:
            throttling.succeeded(username, ip)
        return cleaned


class SignupForm(forms.Form):
    """Account creation for a consumer client: the mandatory fields of RULES.md ACC-1."""

    civility = forms.ChoiceField(
        label=_("Civility"), choices=Civility.choices, widget=forms.RadioSelect
    )
    first_name = forms.CharField(
        label=_("First name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        label=_("Last name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    email = forms.EmailField(
        label=_("Email"),
        error_messages={"invalid": _("Enter a valid email address.")},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=30,
        validators=[validate_phone],
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    address_line1 = forms.CharField(
        label=_("Postal address"), max_length=255, widget=forms.TextInput(attrs={"autocomplete": "address-line1"})
    )
    address_line2 = forms.CharField(
        label=_("Address (continued)"),
        max_length=255,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-line2"}),
    )
    postal_code = forms.RegexField(
        label=_("Postal code"),
        regex=r"^\d{5}$",
        error_messages={"invalid": _("A French postal code has 5 digits.")},
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
    )
    city = forms.CharField(
        label=_("City"), max_length=120, widget=forms.TextInput(attrs={"autocomplete": "address-level2"})
    )
    billing_same = forms.BooleanField(
        label=_("The billing address is the postal address"), required=False, initial=True
    )
    billing_line1 = forms.CharField(label=_("Billing address"), max_length=255, required=False)
    billing_line2 = forms.CharField(
        label=_("Billing address (continued)"), max_length=255, required=False
    )
    billing_postal_code = forms.CharField(label=_("Billing postal code"), max_length=10, required=False)
    billing_city = forms.CharField(label=_("Billing city"), max_length=120, required=False)
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters, not only digits, not too common."),
    )
    password2 = forms.CharField(
        label=_("Password (again)"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    accept_terms = forms.BooleanField(
        label=_("I have read and I accept the terms of sale and use."),
        error_messages={"required": _("You must accept the terms to create an account.")},
    )

    def clean_email(self) -> str:
        email = User.objects.normalize_email(self.cleaned_data["email"]).lower()
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError(
                _("An account already exists with this email address. Sign in or reset your password."),
                code="duplicate_email",
            )
        return email

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("billing_same"):
            for part in ("line1", "line2", "postal_code", "city"):
                source = "address_line1" if part == "line1" else "address_line2" if part == "line2" else part
                cleaned[f"billing_{part}"] = cleaned.get(source, "")
        else:
            for name in ("billing_line1", "billing_postal_code", "billing_city"):
                if not cleaned.get(name):
                    self.add_error(name, _("This field is required when the billing address differs."))
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords do not match."))
        elif password1:
            candidate = User(
                username=cleaned.get("email", ""),
                email=cleaned.get("email", ""),
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
            )
            try:
                password_validation.validate_password(password1, candidate)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class ThrottledPasswordResetForm(PasswordResetForm):
    """Password reset, rate-limited in the shared cache: per address of the requester
    (`PASSWORD_RESET_PER_IP`, 5 an hour: beyond, a French error) and per e-mail address
    (`PASSWORD_RESET_PER_EMAIL`, 3 an hour: beyond, the same « sent » page but no mail, so
    that nobody learns whether an account exists nor floods a mailbox)."""

    def __init__(self, *args: Any, request: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        ip = client_ip(self.request) if self.request is not None else None
        if not throttle.take("reset-ip", ip or "-", limit=settings.PASSWORD_RESET_PER_IP,
                             window=settings.PASSWORD_RESET_THROTTLE_WINDOW):
            raise ValidationError(
                "Trop de demandes de réinitialisation depuis votre adresse : réessayez dans une "
                "heure.", code="throttled")
        return cleaned

    def send_mail(self, *args: Any, **kwargs: Any) -> None:
        to_email = args[4] if len(args) > 4 else kwargs.get("to_email", "")
        if throttle.take("reset-email", str(to_email), limit=settings.PASSWORD_RESET_PER_EMAIL,
                         window=settings.PASSWORD_RESET_THROTTLE_WINDOW):
            super().send_mail(*args, **kwargs)


class InvitationForm(forms.Form):
    email = forms.EmailField(label="Adresse e-mail de la personne invitée",
                             error_messages={"invalid": "Adresse e-mail invalide."})
    role = forms.ChoiceField(label="Rôle")
    company = forms.ModelChoiceField(label="Entreprise cliente (pour un contact d'entreprise)",
                                     queryset=None, required=False, empty_label="— choisir —")

    def __init__(self, *args: Any, organisation: Any, roles: tuple[str, ...], **kwargs: Any) -> None:
        from ofelia.organisations.models import ClientCompany, Role

        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r, Role(r).label) for r in roles]
        self.fields["company"].queryset = ClientCompany.objects.for_organisation(organisation).order_by("name")  # type: ignore[attr-defined]


class InvitationAcceptForm(forms.Form):
    first_name = forms.CharField(label="Prénom", max_length=150)
    last_name = forms.CharField(label="Nom", max_length=150)
    password1 = forms.CharField(label="Mot de passe", strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                help_text="Au moins 8 caractères, pas seulement des chiffres, pas trop courant.")
    password2 = forms.CharField(label="Mot de passe (confirmation)", strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("password1") and cleaned.get("password2") and cleaned["password1"] != cleaned["password2"]:
            self.add_error("password2", "Les deux mots de passe ne correspondent pas.")
        return cleaned
