from __future__ import annotations

from django import forms


class TemplateForm(forms.Form):
    subject = forms.CharField(label="Objet", max_length=250)
    body = forms.CharField(label="Texte", widget=forms.Textarea(attrs={"rows": 14}))
