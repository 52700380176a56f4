"""Incident and maintenance forms, in French (instants entered in Paris time)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms

from ofelia.core import clock
from ofelia.organisations.models import ClientCompany

from .models import Incident

_INSTANT = {"widget": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "input_formats": ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"]}


def _paris(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=clock.PARIS) if value.tzinfo is None else value.astimezone(clock.PARIS)


class _Window(forms.Form):
    start = forms.DateTimeField(label="Début (heure de Paris)", **_INSTANT)  # type: ignore[arg-type]
    services = forms.CharField(label="Services touchés", max_length=200, required=False,
                               help_text="Par exemple : classes virtuelles, extranet.")
    description = forms.CharField(label="Description", required=False, max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    all_clients = forms.BooleanField(label="Tous les clients de l'organisme", required=False)
    companies = forms.ModelMultipleChoiceField(label="Clients touchés", queryset=ClientCompany.objects.none(),
                                               required=False, widget=forms.SelectMultiple(attrs={"size": 6}))

    def __init__(self, *args: Any, organisation: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["companies"].queryset = (  # type: ignore[attr-defined]
            ClientCompany.objects.for_organisation(organisation).order_by("name"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("start", "end"):
            if data.get(name) is not None:
                data[name] = _paris(data[name])
        return data

    def values(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class IncidentForm(_Window):
    end = forms.DateTimeField(label="Fin (heure de Paris)", required=False,
                              help_text="Laissez vide tant que l'incident dure.", **_INSTANT)  # type: ignore[arg-type]
    cause = forms.ChoiceField(label="Cause", choices=[c for c in Incident.Cause.choices
                                                       if c[0] != Incident.Cause.MAINTENANCE])
    field_order = ["start", "end", "cause", "services", "description", "all_clients", "companies"]

    def __init__(self, *args: Any, maintenance: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if maintenance:  # a maintenance stays one (its notice is a fact)
            self.fields["cause"].choices = [(Incident.Cause.MAINTENANCE, Incident.Cause.MAINTENANCE.label)]  # type: ignore[attr-defined]
        self.fields["all_clients"].initial = True

    @staticmethod
    def initial_of(incident: Incident) -> dict[str, Any]:
        return {"start": _paris(incident.start), "end": _paris(incident.end), "cause": incident.cause,
                "services": incident.services, "description": incident.description,
                "all_clients": incident.all_clients, "companies": list(incident.companies.all())}


class MaintenanceForm(_Window):
    end = forms.DateTimeField(label="Fin (heure de Paris)", **_INSTANT)  # type: ignore[arg-type]
    field_order = ["start", "end", "services", "description", "all_clients", "companies"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["companies"].help_text = ("Sans choix : les clients ayant une classe virtuelle en cours ou à "
                                              "venir pendant la maintenance.")
