"""Forms of the support desk; the services hold the rules, the forms only read input."""

from __future__ import annotations

from django import forms

from .models import Ticket

_PRIORITY_ERROR = "Priorité inconnue : choisissez critique, importante ou mineure (SUP-1)."


class TicketForm(forms.Form):
    priority = forms.ChoiceField(
        label="Priorité", choices=Ticket.Priority.choices, widget=forms.RadioSelect,
        error_messages={"invalid_choice": _PRIORITY_ERROR, "required": _PRIORITY_ERROR})
    subject = forms.CharField(label="Objet", max_length=200, error_messages={
        "required": "Indiquez l'objet du ticket.",
        "max_length": "L'objet ne dépasse pas 200 caractères."})
    description = forms.CharField(label="Description", max_length=10_000,
                                  widget=forms.Textarea(attrs={"rows": 5}), error_messages={
                                      "required": "Décrivez le problème rencontré.",
                                      "max_length": "Description trop longue : 10 000 caractères au plus."})


class StepForm(forms.Form):
    step = forms.ChoiceField(choices=[("take", "take"), ("workaround", "workaround"),
                                      ("resolve", "resolve")],
                             error_messages={"invalid_choice": "Étape inconnue.", "required": "Étape inconnue."})
    note = forms.CharField(label="Message au client", required=False, max_length=10_000,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"max_length": "Message trop long : 10 000 caractères au plus."})

