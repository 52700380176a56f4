"""Forms of the data-rights pages; the services hold the rules, the forms only read input."""

from __future__ import annotations

from django import forms

from .models import DataRequest
from .services import MESSAGE_MAX, RIGHTS_FR


class DataRequestForm(forms.Form):
    right = forms.ChoiceField(
        label="Droit que vous exercez", choices=DataRequest.Right.choices,
        error_messages={"invalid_choice": f"Droit inconnu : choisissez {RIGHTS_FR} (ACC-6).",
                        "required": "Choisissez le droit que vous exercez."},
    )
    message = forms.CharField(
        label="Votre message", required=False, max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Facultatif, sauf pour une rectification : indiquez alors les données "
                  "inexactes et leur valeur correcte.",
        error_messages={"max_length": f"Message trop long : {MESSAGE_MAX} caractères au plus."},
    )


class AnswerForm(forms.Form):
    status = forms.ChoiceField(
        label="Décision", widget=forms.RadioSelect,
        choices=[(DataRequest.Status.ANSWERED, "Répondue (demande satisfaite)"),
                 (DataRequest.Status.REFUSED, "Refusée (motif obligatoire)")],
        error_messages={"invalid_choice": "Choisissez « répondue » ou « refusée ».",
                        "required": "Choisissez « répondue » ou « refusée »."},
    )
    answer = forms.CharField(
        label="Réponse envoyée à la personne", required=False, max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"max_length": f"Réponse trop longue : {MESSAGE_MAX} caractères au plus."},
    )


def add_service_errors(form: forms.Form, error: object) -> None:
    """A service's ValidationError shown on the form: on its field, or above it."""
    error_dict = getattr(error, "error_dict", None)
    if error_dict is None:
        form.add_error(None, error)  # type: ignore[arg-type]
        return
    for field, errors in error_dict.items():
        form.add_error(field if field in form.fields else None, errors)
