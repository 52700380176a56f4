from __future__ import annotations

from django import forms

from .models import ClientCompany

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
