from __future__ import annotations

from django import forms

from .models import PersonDocument
from .services import MAX_BYTES


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label="Type de document", choices=PersonDocument.Kind.choices)
    title = forms.CharField(label="Intitulé (facultatif)", max_length=200, required=False)
    file = forms.FileField(
        label="Fichier", help_text=f"PDF, JPEG ou PNG, {MAX_BYTES // (1024 * 1024)} Mo au plus.",
        error_messages={"required": "Choisissez un fichier.", "empty": "Le fichier est vide."},
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))

    def __init__(self, *args: object, kinds: list[str] | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if kinds is not None:
            self.fields["kind"].choices = [c for c in PersonDocument.Kind.choices if c[0] in kinds]
