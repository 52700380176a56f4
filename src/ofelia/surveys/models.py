"""Questionnaires the organisation edits, the invitations sent for a session and the answers.

An invitation freezes the questionnaire's questions (`snapshot`) when it is sent: editing a
questionnaire later never changes what a person was asked nor how their answers read.
One `Response` per invitation (a one-to-one): a second submission cannot exist.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from ofelia.core.models import TenantModel


class Kind(models.TextChoices):
    POSITIONING = "positioning", "positionnement (avant la formation)"
    LEARNING = "learning", "évaluation des acquis (fin de formation)"
    HOT = "hot", "satisfaction à chaud"
    COLD = "cold", "satisfaction à froid"


class Audience(models.TextChoices):
    LEARNER = "learner", "stagiaires"
    CLIENT = "client", "clients (entreprises)"
    TRAINER = "trainer", "formateurs"


class QuestionType(models.TextChoices):
    SCALE5 = "scale5", "échelle de 1 à 5"
    SCALE10 = "scale10", "échelle de 0 à 10"
    SINGLE = "single", "choix unique"
    MULTIPLE = "multiple", "choix multiples"
    TEXT = "text", "texte libre"


class Scoring(models.TextChoices):
    NONE = "none", "non noté"
    QUIZ = "quiz", "quiz (bonnes réponses comptées)"
    TRAINER = "trainer", "note du formateur"


class Questionnaire(TenantModel):
    kind = models.CharField("moment", max_length=12, choices=Kind.choices)
    audience = models.CharField("destinataires", max_length=10, choices=Audience.choices)
    title = models.CharField("titre", max_length=200)
    intro = models.TextField("texte d'introduction", blank=True)
    is_active = models.BooleanField("envoyé automatiquement", default=True)
    scoring = models.CharField("notation", max_length=10, choices=Scoring.choices,
                               default=Scoring.NONE)
    delay_days = models.PositiveIntegerField(
        "délai après la fin de la session (jours)", default=90,
        help_text="Pour la satisfaction à froid : envoyé ce nombre de jours après le dernier jour.")
    reminder_days = models.PositiveIntegerField(
        "relance sans réponse après (jours)", default=7,
        help_text="0 : aucune relance. Au plus deux relances.")

    class Meta:
        ordering = ["kind", "audience", "id"]
        verbose_name = "questionnaire"
        verbose_name_plural = "questionnaires"

    def __str__(self) -> str:
        return self.title


class Question(TenantModel):
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE,
                                      related_name="questions")
    position = models.PositiveIntegerField("ordre", default=0)
    text = models.CharField("question", max_length=300)
    type = models.CharField("type de réponse", max_length=10, choices=QuestionType.choices)
    choices = models.TextField("choix proposés (un par ligne)", blank=True)
    correct = models.TextField("bonnes réponses (une par ligne, pour un quiz)", blank=True)
    required = models.BooleanField("réponse obligatoire", default=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "question"
        verbose_name_plural = "questions"

    def __str__(self) -> str:
        return self.text


class Invitation(TenantModel):
    """One questionnaire sent to one person for one session (`recipient` makes it unique:
    the daily run may pass twice, it creates and sends once)."""

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT,
                                      related_name="invitations")
    session = models.ForeignKey("catalogue.TrainingSession", on_delete=models.PROTECT,
                                related_name="survey_invitations")
    kind = models.CharField("moment", max_length=12, choices=Kind.choices)
    audience = models.CharField("destinataires", max_length=10, choices=Audience.choices)
    recipient = models.CharField(max_length=40)  # "enrolment:12", "contact:3", "trainer:4"
    enrolment = models.ForeignKey("catalogue.Enrolment", on_delete=models.PROTECT, null=True,
                                  blank=True, related_name="+")
    # The person's account when they had one at sending time (their extranet lists it).
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                             blank=True, related_name="+")
    name = models.CharField("destinataire", max_length=300)
    email = models.EmailField("courriel")
    title = models.CharField("titre", max_length=200)
    intro = models.TextField(blank=True)
    scoring = models.CharField(max_length=10, choices=Scoring.choices, default=Scoring.NONE)
    snapshot = models.JSONField("questions posées", default=list)
    nonce = models.CharField(max_length=32, editable=False)
    due_on = models.DateField("prévu le")
    sent_at = models.DateTimeField("envoyé le")
    expires_at = models.DateTimeField("répondre avant le")
    reminders = models.PositiveSmallIntegerField("relances", default=0)
    last_reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["session", "kind", "audience", "id"]
        verbose_name = "questionnaire envoyé"
        verbose_name_plural = "questionnaires envoyés"
        constraints = [models.UniqueConstraint(fields=["questionnaire", "session", "recipient"],
                                               name="survey_invitation_once_per_recipient")]
        indexes = [models.Index(fields=["organisation", "sent_at"])]

    def __str__(self) -> str:
        return f"{self.title} — {self.name}"


class Response(TenantModel):
    invitation = models.OneToOneField(Invitation, on_delete=models.PROTECT,
                                      related_name="response")
    answers = models.JSONField("réponses", default=dict)
    submitted_at = models.DateTimeField("répondu le")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    score = models.DecimalField("note", max_digits=6, decimal_places=2, null=True, blank=True)
    max_score = models.DecimalField("sur", max_digits=6, decimal_places=2, null=True, blank=True)
    graded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                  null=True, blank=True, related_name="+")
    grade_comment = models.CharField("appréciation", max_length=500, blank=True)

    class Meta:
        verbose_name = "réponse"
        verbose_name_plural = "réponses"

    def __str__(self) -> str:
        return f"Réponse — {self.invitation}"
