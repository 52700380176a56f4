from __future__ import annotations

from django import forms

from .models import Question, Questionnaire


class QuestionnaireForm(forms.ModelForm):
    class Meta:
        model = Questionnaire
        fields = ["title", "kind", "audience", "intro", "is_active", "scoring", "delay_days",
                  "reminder_days"]
        widgets = {"intro": forms.Textarea(attrs={"rows": 3})}


class QuestionForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = ["text", "type", "choices", "correct", "required", "position"]
        widgets = {"choices": forms.Textarea(attrs={"rows": 4}),
                   "correct": forms.Textarea(attrs={"rows": 2})}
