"""Staff forms of the catalogue (French labels), each limited to the organisation's rows."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms import inlineformset_factory

from .models import SessionSlot, Trainer, Training, TrainingSession
from .virtual_classes import virtual_class_capacity_error

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
_TEXT = forms.Textarea(attrs={"rows": 3})


class TrainingForm(forms.ModelForm):
    class Meta:
        model = Training
        fields = ["title", "reference", "audience", "objectives", "programme", "prerequisites",
                  "duration_hours", "modality", "format", "price_excl_vat", "price_intra_excl_vat",
                  "cpf_eligible", "certification_code", "means", "follow_up", "assessment",
                  "trainers", "bpf_objective", "is_published", "is_active"]
        labels = {
            "title": "Intitulé", "reference": "Référence interne", "duration_hours": "Durée (heures)",
            "modality": "Modalité", "format": "Inter ou intra",
            "price_excl_vat": "Prix inter HT (par stagiaire)", "cpf_eligible": "Éligible au CPF",
            "certification_code": "Code de certification (RS ou RNCP)", "is_active": "Active",
        }
        widgets = {"objectives": _TEXT, "programme": forms.Textarea(attrs={"rows": 6}),
                   "prerequisites": _TEXT, "means": _TEXT, "follow_up": _TEXT, "assessment": _TEXT,
                   "trainers": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, organisation: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.organisation = organisation
        self.fields["trainers"].queryset = Trainer.objects.for_organisation(organisation).select_related(
            "membership__user")
        self.fields["modality"].choices = [
            ("classroom", "Présentiel"), ("remote", "À distance"), ("elearning", "E-learning"),
            ("virtual_class", "Classe virtuelle"), ("blended", "Mixte (blended)")]
        self.fields["format"].choices = [("inter", "Inter-entreprises"), ("intra", "Intra-entreprise")]
        self.fields["certification_code"].help_text = "Par exemple RS5908 ou RNCP35284."


class SessionForm(forms.ModelForm):
    remote_link = forms.URLField(label="Lien de connexion (à distance)", required=False,
                                 assume_scheme="https")

    class Meta:
        model = TrainingSession
        fields = ["training", "start_date", "end_date", "place", "remote_link", "capacity", "trainers",
                  "subcontractor"]
        labels = {"training": "Formation", "start_date": "Premier jour", "end_date": "Dernier jour",
                  "place": "Lieu", "capacity": "Places"}
        widgets = {"start_date": _DATE, "end_date": _DATE, "trainers": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, organisation: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.organisation = organisation
        self.fields["training"].queryset = Training.objects.for_organisation(organisation).filter(
            is_active=True)
        self.fields["trainers"].queryset = Trainer.objects.for_organisation(organisation).select_related(
            "membership__user")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        refused = virtual_class_capacity_error(
            organisation=self.instance.organisation, training=data.get("training"),
            capacity=data.get("capacity"), on=data.get("start_date"))
        if refused:
            self.add_error("capacity", refused)
        if not data.get("place") and not data.get("remote_link"):
            raise forms.ValidationError("Indiquez un lieu ou un lien de connexion.")
        return data


class SlotForm(forms.ModelForm):
    class Meta:
        model = SessionSlot
        fields = ["day", "part", "starts_at", "ends_at"]
        widgets = {"day": _DATE, "starts_at": _TIME, "ends_at": _TIME}


SlotFormSet = inlineformset_factory(TrainingSession, SessionSlot, form=SlotForm, extra=2,
                                    can_delete=True)


class TrainerForm(forms.ModelForm):
    class Meta:
        model = Trainer
        fields = ["titles"]
        widgets = {"titles": _TEXT}
