"""Forms of the complaints register; the services hold the rules, the forms read input."""

from __future__ import annotations

from django import forms

from .models import Complaint, ImprovementAction

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ClientComplaintForm(forms.Form):
    subject = forms.CharField(label="Objet", max_length=200, error_messages={
        "required": "Indiquez l'objet de la réclamation.",
        "max_length": "L'objet ne dépasse pas 200 caractères."})
    description = forms.CharField(label="Votre réclamation", max_length=10_000,
                                  widget=forms.Textarea(attrs={"rows": 5}), error_messages={
                                      "required": "Décrivez votre réclamation.",
                                      "max_length": "Texte trop long : 10 000 caractères au plus."})
    contract = forms.TypedChoiceField(label="Contrat concerné (facultatif)", required=False,
                                      coerce=int, empty_value=None)
    concerns_delivery = forms.BooleanField(
        label="La réclamation porte sur la réalisation de la formation", required=False)

    def __init__(self, *args: object, contracts: list[tuple[int, str]] = (), **kwargs: object) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["contract"].choices = [("", "— aucun —"), *contracts]  # type: ignore[attr-defined]


class StaffComplaintForm(forms.Form):
    complainant = forms.CharField(label="Auteur", max_length=255)
    complainant_email = forms.EmailField(label="Courriel de l'auteur", required=False)
    channel = forms.ChoiceField(label="Canal", choices=Complaint.Channel.choices)
    subject = forms.CharField(label="Objet", max_length=200)
    description = forms.CharField(label="Description", max_length=10_000,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    received_on = forms.DateField(label="Reçue le", widget=_DATE)
    contract_number = forms.CharField(label="Numéro du contrat concerné (facultatif)",
                                      max_length=30, required=False)
    concerns_delivery = forms.BooleanField(label="Porte sur la réalisation de la prestation",
                                           required=False)


class AnswerForm(forms.Form):
    answer = forms.CharField(label="Réponse apportée", max_length=10_000,
                             widget=forms.Textarea(attrs={"rows": 4}),
                             error_messages={"required": "Rédigez la réponse apportée."})


class DeadlineForm(forms.Form):
    answer_due_on = forms.DateField(label="Réponse attendue au plus tard le", widget=_DATE,
                                    error_messages={"required": "Indiquez une date.",
                                                    "invalid": "Date invalide."})


class CloseForm(forms.Form):
    closing_note = forms.CharField(label="Bilan de clôture", max_length=10_000, required=False,
                                   widget=forms.Textarea(attrs={"rows": 3}))


class ActionForm(forms.ModelForm):
    class Meta:
        model = ImprovementAction
        fields = ["title", "description", "owner", "due_on", "status", "outcome"]
        widgets = {"due_on": _DATE, "description": forms.Textarea(attrs={"rows": 3}),
                   "outcome": forms.Textarea(attrs={"rows": 2})}
