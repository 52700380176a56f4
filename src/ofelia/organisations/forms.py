from __future__ import annotations

from typing import Any

from django import forms

from .models import ClientCompany, CompanyContact, ConsumerClient, Learner, Organisation

COMPANY_FIELDS = [
    "name",
    "siret",
    "vat_number",
    "email",
    "phone",
    "contact_name",
    "address_line1",
    "address_line2",
    "postal_code",
    "city",
    "billing_line1",
    "billing_line2",
    "billing_postal_code",
    "billing_city",
    "notes",
    "bpf_category",
]


class ClientCompanyForm(forms.ModelForm):
    class Meta:
        model = ClientCompany
        fields = COMPANY_FIELDS
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def clean_siret(self) -> str:
        return "".join(self.cleaned_data["siret"].split())

    def validate_unique(self) -> None:
        # The organisation is set by the service, not by the form; uniqueness is checked there.
        pass


PERSON_FIELDS = ["civility", "first_name", "last_name", "email", "phone", "address_line1",
                 "address_line2", "postal_code", "city"]
PERSON_LABELS = {
    "civility": "Civilité", "first_name": "Prénom", "last_name": "Nom", "email": "Adresse e-mail",
    "phone": "Téléphone", "address_line1": "Adresse", "address_line2": "Complément d'adresse",
    "postal_code": "Code postal", "city": "Ville", "company": "Entreprise (employeur)",
    "consumer": "Client particulier (s'il se forme pour lui-même)", "function": "Fonction",
}


class _PersonForm(forms.ModelForm):
    """Learners and consumer clients: one per e-mail in the organisation (case-insensitive)."""

    kind_label = ""

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        for name, field in self.fields.items():
            field.label = PERSON_LABELS.get(name, field.label)
        if "civility" in self.fields:
            self.fields["civility"].widget = forms.RadioSelect(choices=[("mme", "Mme"), ("m", "M.")])
            self.fields["civility"].choices = [("mme", "Mme"), ("m", "M.")]

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        model = self._meta.model
        other = (model.objects.for_organisation(self.organisation).filter(email__iexact=email)  # type: ignore[union-attr]
                 .exclude(pk=self.instance.pk).first())
        if other is not None:
            raise forms.ValidationError(
                f"{other} a déjà cette adresse parmi les {self.kind_label} de l'organisme : une "
                "adresse e-mail ne peut servir qu'à une fiche.")
        return email

    def validate_unique(self) -> None:
        # The organisation is set by the service; uniqueness is checked in clean_email and there.
        pass


class LearnerForm(_PersonForm):
    kind_label = "apprenants"

    class Meta:
        model = Learner
        fields = [*PERSON_FIELDS, "company", "consumer"]

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, organisation=organisation, **kwargs)
        self.fields["company"].queryset = ClientCompany.objects.for_organisation(organisation).order_by("name")  # type: ignore[attr-defined]
        self.fields["consumer"].queryset = ConsumerClient.objects.for_organisation(organisation)  # type: ignore[attr-defined]
        self.fields["company"].empty_label = "— aucune —"  # type: ignore[attr-defined]
        self.fields["consumer"].empty_label = "— aucun —"  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("company") and cleaned.get("consumer"):
            self.add_error("consumer", "Un apprenant vient d'une entreprise ou d'un client particulier, pas des deux.")
        return cleaned


class ConsumerClientForm(_PersonForm):
    kind_label = "clients particuliers"

    class Meta:
        model = ConsumerClient
        fields = [*PERSON_FIELDS, "billing_line1", "billing_postal_code", "billing_city"]
        labels = {"billing_line1": "Adresse de facturation (si différente)",
                  "billing_postal_code": "Code postal de facturation", "billing_city": "Ville de facturation"}


class CompanyContactForm(forms.ModelForm):
    class Meta:
        model = CompanyContact
        fields = ["civility", "first_name", "last_name", "email", "phone", "function"]
        labels = {"civility": "Civilité", "first_name": "Prénom", "last_name": "Nom",
                  "email": "Adresse e-mail", "phone": "Téléphone", "function": "Fonction"}

    def validate_unique(self) -> None:
        pass


IMPORT_KIND_CHOICES = [("apprenants", "Apprenants"), ("particuliers", "Clients particuliers"),
                       ("entreprises", "Entreprises clientes (et leur contact)")]


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label="Que contient le fichier ?", choices=IMPORT_KIND_CHOICES,
                             widget=forms.RadioSelect)
    file = forms.FileField(label="Fichier CSV", help_text="Séparateur « ; » ou « , », encodage UTF-8 "
                           "(avec ou sans BOM) ; 5 000 lignes et 1 Mo au plus.")


class OrganisationSettingsForm(forms.ModelForm):
    """What an administrator sets for the organisation's clients: contact, bank account for
    transfers, delay to pay an online order."""

    website = forms.URLField(label="Site web", required=False, max_length=200, assume_scheme="https")

    class Meta:
        model = Organisation
        fields = ["email", "phone", "website", "bank_account_holder", "iban", "bic",
                  "order_payment_days"]
        labels = {"email": "Adresse e-mail de contact", "phone": "Téléphone", "website": "Site web"}
        help_texts = {"bank_account_holder": "Tel qu'il figure sur le RIB (70 caractères au plus).",
                      "iban": "Affiché avec le QR code de virement sur la page « Payer » des clients."}

    def clean_iban(self) -> str:
        return "".join(self.cleaned_data["iban"].split()).upper()

    def clean_bic(self) -> str:
        return "".join(self.cleaned_data["bic"].split()).upper()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        given = [data.get(name) for name in ("iban", "bic")]
        if any(given) and not all(given) and not self.errors:
            raise forms.ValidationError("Pour recevoir des virements, renseignez l'IBAN et le BIC.")
        return data
