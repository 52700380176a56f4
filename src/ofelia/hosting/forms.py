"""The class configuration form: what VCL-2's estimate needs, in French."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django import forms

from ofelia.core import clock
from ofelia.organisations.models import ClientCompany

from .models import VirtualClass


class ClassForm(forms.Form):
    title = forms.CharField(label="Intitulé de la classe", max_length=200)
    mode = forms.ChoiceField(label="Mode", choices=VirtualClass.Mode.choices, initial=VirtualClass.Mode.SCHEDULED)
    start_day = forms.DateField(label="Premier jour",
                                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    start_time = forms.TimeField(label="Heure de démarrage", initial=time(9, 0),
                                 widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    days = forms.IntegerField(label="Nombre de jours", min_value=1, max_value=60, initial=1)
    daily_hours = forms.DecimalField(label="Heures par jour", min_value=0.5, max_value=24, decimal_places=2,
                                     initial=9, help_text="Journée standard : 9 heures (VCL-4).")
    learners = forms.IntegerField(label="Nombre de stagiaires", min_value=1, max_value=999,
                                  help_text="Au plus 30 par classe, plus l'environnement de l'instructeur (VCL-1).")
    software = forms.ChoiceField(label="Logiciels", choices=VirtualClass.Software.choices)
    custom_configuration = forms.CharField(label="Configuration sur mesure", required=False, max_length=2000,
                                           widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, companies: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if companies is not None:
            self.fields["company"] = forms.ModelChoiceField(label="Client", queryset=companies)
            self.order_fields(["company"])

    def configuration(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        day, at = data.pop("start_day"), data.pop("start_time")
        data["start"] = datetime.combine(day, at, tzinfo=clock.PARIS)
        data.pop("company", None)
        return data

    @classmethod
    def initial_of(cls, klass: VirtualClass) -> dict[str, Any]:
        start = klass.start.astimezone(clock.PARIS)
        return {"title": klass.title, "mode": klass.mode, "start_day": start.date(), "start_time": start.time(),
                "days": klass.days, "daily_hours": klass.daily_hours, "learners": klass.learners,
                "software": klass.software, "custom_configuration": klass.custom_configuration}


def companies_of(organisation: Any) -> Any:
    return ClientCompany.objects.for_organisation(organisation).order_by("name")
