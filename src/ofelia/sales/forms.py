"""Staff forms of the sales pages (French labels)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms import formset_factory

from ofelia.catalogue.models import TrainingSession
from ofelia.core.validators import validate_vat_rate
from ofelia.organisations.models import ClientCompany, ConsumerClient

from .models import ContractEvent, TermsAcceptance

_DATE = forms.DateInput(attrs={"type": "date"})
# Ofelia's own events (CAN-L1, PRV-F1, PRV-X): offered whatever the terms; under terms
# without the clause the computed outcome says that it changes nothing.
_OWN_EVENTS = (
    ContractEvent.Type.FUNDING_REFUSED, ContractEvent.Type.DELIVERY, ContractEvent.Type.RESCISSION,
    ContractEvent.Type.COMPLAINT, ContractEvent.Type.REMOTE_SWITCH,
)


class ContractEventForm(forms.Form):
    type = forms.ChoiceField(label="Événement", choices=[
        ("cancellation", "Annulation"),
        ("retraction", "Rétractation du particulier"),
        ("abandonment", "Abandon en cours de formation"),
        ("provider_stop", "Arrêt anticipé par l'organisme"),
        ("schedule_change", "Report / changement de dates, d'horaires ou de lieu"),
        ("opco_agreement", "Accord de prise en charge OPCO reçu"),
        ("schedule_choice", "Réponse du client au changement (PRV-D4)"),
        *((t.value, t.label) for t in _OWN_EVENTS),
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
    choice = forms.ChoiceField(label="Choix du client après le changement", required=False, choices=[
        ("", "—"), (ContractEvent.Choice.END, "Mettre fin au contrat"),
        (ContractEvent.Choice.MOVE, "Reporter à une session ultérieure"),
    ])
    payer = forms.ChoiceField(label="Financeur qui refuse (refus de prise en charge)",
                              required=False,
                              choices=[("", "—"), *ContractEvent.RefusingPayer.choices])
    moved_to = forms.ModelChoiceField(label="Session de report", required=False,
                                      queryset=TrainingSession.objects.none())

    def __init__(self, *args: Any, contract: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if contract is not None:
            self.fields["moved_to"].queryset = (
                TrainingSession.objects.for_organisation(contract.organisation)
                .filter(training_id=contract.session.training_id, start_date__gt=contract.start_date)
                .select_related("training").order_by("start_date")
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


class QuoteForm(forms.Form):
    client_company = forms.ModelChoiceField(label="Entreprise cliente", required=False,
                                            queryset=ClientCompany.objects.none())
    consumer = forms.ModelChoiceField(label="ou client particulier", required=False,
                                      queryset=ConsumerClient.objects.none())
    session = forms.ModelChoiceField(label="Session (facultatif)", required=False,
                                     queryset=TrainingSession.objects.none())
    valid_until = forms.DateField(label="Valable jusqu'au", widget=_DATE)
    vat_rate = forms.DecimalField(label="Taux de TVA (%)", min_value=0, max_value=100,
                                  decimal_places=2, initial=0, validators=[validate_vat_rate],
                                  help_text="Taux légaux : 0, 2,1, 5,5, 10 ou 20 %.")

    def __init__(self, *args: Any, organisation: Any, today: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["client_company"].queryset = ClientCompany.objects.for_organisation(organisation)
        self.fields["consumer"].queryset = ConsumerClient.objects.for_organisation(organisation)
        self.fields["session"].queryset = (TrainingSession.objects.for_organisation(organisation)
                                           .filter(start_date__gte=today).select_related("training"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if bool(data.get("client_company")) == bool(data.get("consumer")):
            raise forms.ValidationError("Choisissez un client : une entreprise ou un particulier.")
        return data


class QuoteLineForm(forms.Form):
    description = forms.CharField(label="Désignation", max_length=255)
    quantity = forms.DecimalField(label="Quantité", min_value=0.01, decimal_places=2, initial=1)
    unit_price = forms.DecimalField(label="Prix unitaire HT", min_value=0, decimal_places=2)


QuoteLineFormSet = formset_factory(QuoteLineForm, extra=1, min_num=1, validate_min=True)


class OrderForm(forms.Form):
    accept_terms = forms.BooleanField(required=False)
    digital_consent = forms.BooleanField(required=False)
    instalments = forms.TypedChoiceField(label="Paiement", coerce=int, choices=[(1, "en une fois")],
                                         initial=1, widget=forms.RadioSelect)

    def __init__(self, *args: Any, instalment_options: tuple[int, ...] = (1,), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["instalments"].choices = [
            (n, "en une fois" if n == 1 else f"en {n} fois sans frais") for n in instalment_options]
