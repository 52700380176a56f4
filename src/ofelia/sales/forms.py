"""Staff forms of the sales pages (French labels)."""

from __future__ import annotations

from django import forms

from .models import ContractEvent, TermsAcceptance

_DATE = forms.DateInput(attrs={"type": "date"})


class ContractEventForm(forms.Form):
    type = forms.ChoiceField(label="Événement", choices=[
        ("cancellation", "Annulation"),
        ("retraction", "Rétractation du particulier"),
        ("abandonment", "Abandon en cours de formation"),
        ("provider_stop", "Arrêt anticipé par l'organisme"),
        ("schedule_change", "Report / changement de dates, d'horaires ou de lieu"),
        ("opco_agreement", "Accord de prise en charge OPCO reçu"),
    ])
    on = forms.DateField(label="Date de l'acte (envoi)", widget=_DATE)
    by = forms.ChoiceField(label="À l'initiative de", required=False, choices=[
        ("", "—"), (ContractEvent.By.CLIENT, "Client"), (ContractEvent.By.PROVIDER, "Organisme"),
    ])
    reason = forms.ChoiceField(label="Motif", required=False, choices=[
        ("", "—"), ("other", "Autre motif"), ("legitimate", "Motif légitime reconnu"),
        ("force_majeure", "Force majeure"),
    ])
    hours_attended = forms.DecimalField(label="Heures suivies", required=False, min_value=0,
                                        decimal_places=2)
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    force_reason = forms.CharField(
        label="Motif pour passer outre le délai (administrateur)", required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SignatureForm(forms.Form):
    accepted_by_name = forms.CharField(label="Signataire", max_length=255)
    method = forms.ChoiceField(label="Mode de signature", choices=[
        (TermsAcceptance.Method.SIGNED_DOCUMENT, "Document signé"),
        (TermsAcceptance.Method.ONLINE_CHECKBOX, "Case cochée en ligne"),
        (TermsAcceptance.Method.EMAIL, "Acceptation écrite par e-mail"),
    ])


class QuoteAcceptForm(forms.Form):
    accepted_by_name = forms.CharField(label="Accepté par", max_length=255)
    method = forms.ChoiceField(label="Forme de l'acceptation écrite", choices=[
        (TermsAcceptance.Method.SIGNED_QUOTE, "Devis signé"),
        (TermsAcceptance.Method.EMAIL, "E-mail"),
    ])
