"""Staff forms of the sales pages (French labels)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.forms import formset_factory
from django.urls import reverse

from ofelia.catalogue.models import TrainingSession
from ofelia.core.validators import validate_vat_rate
from ofelia.organisations.models import ClientCompany, ConsumerClient, Learner

from .models import Contract, ContractEvent, TermsAcceptance

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_T = ContractEvent.Type

# The fields each event asks for (besides its type and date); the form shows only these.
EVENT_FIELDS: dict[str, tuple[str, ...]] = {
    _T.CANCELLATION: ("by", "reason", "note", "force_reason"),
    _T.RETRACTION: ("note",),
    _T.ABANDONMENT: ("reason", "hours_attended", "note"),
    _T.PROVIDER_STOP: ("hours_attended", "note"),
    _T.SCHEDULE_CHANGE: ("note", "force_reason"),
    _T.OPCO_AGREEMENT: ("note",),
    _T.SCHEDULE_CHOICE: ("choice", "moved_to", "note"),
    _T.FUNDING_REFUSED: ("payer", "note"),
    _T.DELIVERY: ("note",),
    _T.RESCISSION: ("note",),
    _T.COMPLAINT: ("note",),
    _T.REMOTE_SWITCH: ("note",),
}
# Events that exist only under a clause of the contract's own terms (PRV-D4, PRV-F1, PRV-X).
_CLAUSE_OF_EVENT = {
    _T.SCHEDULE_CHOICE: "PRV-D4", _T.DELIVERY: "PRV-F1", _T.RESCISSION: "PRV-F1",
    _T.COMPLAINT: "PRV-F1", _T.REMOTE_SWITCH: "PRV-X",
}
_REFUSABLE = {"opco", "faf", "france_travail", "cpf"}


def event_types_for(contract: Any, policy: Any = None) -> list[tuple[str, str]]:
    """The events meaningful for this contract: its client kind, its funding and the
    clauses of its own terms (`policy`, the version fixed at signature); plain labels."""
    payers = {f.payer for f in contract.funding.all()}
    offered = []
    for value, label in _T.choices:
        if value == _T.RETRACTION and contract.client_kind != "consumer":
            continue
        if value == _T.OPCO_AGREEMENT and "opco" not in payers:
            continue
        if value == _T.FUNDING_REFUSED and not payers & _REFUSABLE:
            continue
        rule = _CLAUSE_OF_EVENT.get(value)
        if rule is not None:
            clause = policy.clause(rule) if policy is not None else None
            if clause is None or not clause.applies_to(contract.client_kind, contract.format):
                continue
        offered.append((value, label))
    return offered


class ContractEventForm(forms.Form):
    type = forms.ChoiceField(label="Événement", choices=[("", "— choisissez —"), *_T.choices],
                             error_messages={
                                 "required": "choisissez l'événement.",
                                 "invalid_choice": "cet événement n'est pas prévu par les "
                                                   "conditions de ce contrat pour ce client."})
    on = forms.DateField(label="Date de l'acte (envoi)", widget=_DATE)
    by = forms.ChoiceField(label="À l'initiative de", required=False, choices=[
        ("", "—"), (ContractEvent.By.CLIENT, "Client"), (ContractEvent.By.PROVIDER, "Organisme"),
    ])
    reason = forms.ChoiceField(label="Motif", required=False, choices=[
        ("", "—"), ("other", "Autre motif"), ("legitimate", "Motif légitime reconnu"),
        ("force_majeure", "Force majeure"),
    ])
    hours_attended = forms.DecimalField(
        label="Heures suivies", required=False, min_value=0, decimal_places=2,
        help_text="Prérempli avec les heures réalisées selon le planning des demi-journées.")
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    force_reason = forms.CharField(
        label="Motif pour passer outre le délai (administrateur)", required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    choice = forms.ChoiceField(label="Choix du client après le changement", required=False, choices=[
        ("", "—"), (ContractEvent.Choice.END, "Mettre fin au contrat"),
        (ContractEvent.Choice.MOVE, "Reporter à une session ultérieure"),
    ])
    payer = forms.ChoiceField(label="Financeur qui refuse la prise en charge", required=False,
                              choices=[("", "—"), *ContractEvent.RefusingPayer.choices])
    moved_to = forms.ModelChoiceField(label="Session de report", required=False,
                                      queryset=TrainingSession.objects.none())

    def __init__(self, *args: Any, contract: Any = None, policy: Any = None,
                 event_type: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if contract is None:
            return
        self.fields["type"].choices = [("", "— choisissez —"), *event_types_for(contract, policy)]
        self.fields["moved_to"].queryset = (
            TrainingSession.objects.for_organisation(contract.organisation)
            .filter(training_id=contract.session.training_id, start_date__gt=contract.start_date)
            .select_related("training").order_by("start_date")
        )
        payers = {f.payer for f in contract.funding.all()}
        self.fields["payer"].choices = [
            ("", "—"), *((v, label) for v, label in ContractEvent.RefusingPayer.choices if v in payers)]
        chosen = event_type if event_type is not None else (self.data.get("type") if self.is_bound
                                                           else self.initial.get("type"))
        wanted = set(EVENT_FIELDS.get(chosen or "", ()))
        for name in [n for n in self.fields if n not in {"type", "on", *wanted}]:
            del self.fields[name]

    def clean_type(self) -> str:
        value: str = self.cleaned_data["type"]
        if not value:
            raise forms.ValidationError("Choisissez l'événement.")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        # Fields the chosen event does not ask for are not sent on.
        return {k: v for k, v in data.items() if k in {"type", "on",
                                                     *EVENT_FIELDS.get(data.get("type", ""), ())}}


_CONTRACT_LABELS = {
    "title": "Intitulé de l'action", "objectives": "Objectifs", "programme": "Programme (contenu)",
    "prerequisites": "Prérequis (niveau de connaissances préalables)",
    "means": "Moyens pédagogiques, techniques et d'encadrement",
    "delivery": "Modalités de déroulement (lieu, modalité, horaires)",
    "follow_up": "Modalités de suivi de l'exécution", "assessment": "Modalités d'évaluation et de sanction",
    "trainers": "Formateurs (diplômes, titres ou références)", "workforce": "Effectif (stagiaires)",
    "hours": "Durée (heures)", "start_date": "Début", "end_date": "Fin", "price": "Prix HT (€)",
    "vat_rate": "Taux de TVA (%)", "deposit": "Acompte HT (€)",
    "payment_terms": "Modalités de règlement",
    "early_termination": "Conditions financières en cas de cessation anticipée ou d'abandon",
    "purchase_order_ref": "Bon de commande du client",
}


class ContractForm(forms.ModelForm):
    """The draft contract's document: every mandatory mention checked at signature that the
    contract itself carries has its field here (the parties' identity lives on their record)."""

    class Meta:
        model = Contract
        fields = list(_CONTRACT_LABELS)
        labels = _CONTRACT_LABELS
        widgets = {"start_date": _DATE, "end_date": _DATE,
                   **{name: forms.Textarea(attrs={"rows": 3}) for name in (
                       "objectives", "programme", "prerequisites", "means", "delivery",
                       "follow_up", "assessment", "trainers", "payment_terms",
                       "early_termination")}}
        error_messages = {name: {"required": f"{label} : champ obligatoire.",
                                 "invalid": f"{label} : valeur invalide."}
                          for name, label in _CONTRACT_LABELS.items()}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "Fin : la date de fin précède la date de début.")
        if data.get("workforce") is not None and data["workforce"] < 1:
            self.add_error("workforce", "Effectif : au moins un stagiaire.")
        return data


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
    learners = forms.ModelMultipleChoiceField(
        label="Stagiaires du client", required=False, queryset=Learner.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Les salariés de l'entreprise (ou le particulier) qui suivront la formation.")
    workforce = forms.IntegerField(
        label="ou effectif (nombre de stagiaires)", required=False, min_value=1,
        help_text="Si les noms ne sont pas encore connus ; au moins le nombre de stagiaires cochés.",
        error_messages={"min_value": "Effectif : au moins un stagiaire.",
                        "invalid": "Effectif : un nombre entier est attendu."})

    def __init__(self, *args: Any, organisation: Any, today: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["client_company"].queryset = ClientCompany.objects.for_organisation(organisation)
        self.fields["consumer"].queryset = ConsumerClient.objects.for_organisation(organisation)
        self.fields["session"].queryset = (TrainingSession.objects.for_organisation(organisation)
                                           .filter(start_date__gte=today).select_related("training"))
        # The picker lists the chosen client's learners only (htmx refreshes it on change).
        client = {name: self._value(name) for name in ("client_company", "consumer")}
        learners = self.fields["learners"]
        scope = (Q(company_id=client["client_company"]) if client["client_company"]
                 else Q(consumer_id=client["consumer"]) if client["consumer"] else None)
        learners.queryset = (Learner.objects.for_organisation(organisation).filter(scope)
                             .select_related("company", "consumer")
                             .order_by("last_name", "first_name")
                             if scope is not None else Learner.objects.none())
        learners.label_from_instance = lambda learner: (
            f"{learner} — {learner.company or learner.consumer}")
        learners.error_messages["invalid_choice"] = (
            "Stagiaires : un stagiaire coché n'est pas du client choisi ; cochez ceux du client.")
        for name in ("client_company", "consumer"):
            self.fields[name].widget.attrs.update({
                "hx-get": reverse("sales:quote-learners"), "hx-target": "#quote-learners",
                "hx-trigger": "change", "hx-include": "[name=client_company],[name=consumer]"})
        self.fields["valid_until"].error_messages.update(
            required="Valable jusqu'au : date obligatoire.", invalid="Valable jusqu'au : date invalide.")

    def _value(self, name: str) -> int | None:
        raw = self.data.get(name) if self.is_bound else self.initial.get(name)
        try:
            return int(raw) if raw else None
        except (TypeError, ValueError):
            return None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        company, consumer = data.get("client_company"), data.get("consumer")
        if bool(company) == bool(consumer):
            raise forms.ValidationError("Choisissez un client : une entreprise ou un particulier.")
        named = len(data.get("learners") or ())
        if data.get("workforce") and data["workforce"] < named:
            self.add_error("workforce", f"Effectif : {data['workforce']} stagiaire(s) mais "
                                        f"{named} coché(s) ; l'effectif compte au moins les noms.")
        if data.get("session") is None and (named or data.get("workforce")):
            self.add_error("session", "Session : choisissez la session que suivront les stagiaires.")
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
