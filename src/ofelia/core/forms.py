from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from .audit_labels import action_label
from .models import AuditEntry


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label=_("Action"), required=False)
    object_type = forms.ChoiceField(label=_("Object type"), required=False)
    actor = forms.CharField(label=_("Actor"), required=False, max_length=150)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, organisation: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scoped = AuditEntry.objects.for_organisation(organisation)
        every = [("", _("All"))]
        self.fields["action"].choices = every + [
            (a, action_label(a)) for a in scoped.order_by("action").values_list("action", flat=True).distinct()
        ]
        self.fields["object_type"].choices = every + [
            (t, t)
            for t in scoped.order_by("object_type").values_list("object_type", flat=True).distinct()
            if t
        ]

    def filter(self, entries: QuerySet[AuditEntry]) -> QuerySet[AuditEntry]:
        if not self.is_bound or not self.is_valid():
            return entries
        data = self.cleaned_data
        if data["action"]:
            entries = entries.filter(action=data["action"])
        if data["object_type"]:
            entries = entries.filter(object_type=data["object_type"])
        if data["actor"]:
            entries = entries.filter(actor_repr__icontains=data["actor"])
        if data["date_from"]:
            entries = entries.filter(instant__date__gte=data["date_from"])
        if data["date_to"]:
            entries = entries.filter(instant__date__lte=data["date_to"])
        return entries


