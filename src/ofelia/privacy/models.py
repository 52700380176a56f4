"""A person's request about their personal data (RGPD art. 15 to 21; RULES.md ACC-6)."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models

from ofelia.core.models import TenantModel


class DataRequest(TenantModel):
    """Filed from the extranet, answered by the organisation's staff within the RGPD deadline."""

    class Right(models.TextChoices):
        ACCESS = "access", "Accès à mes données"
        RECTIFICATION = "rectification", "Rectification"
        ERASURE = "erasure", "Effacement"
        RESTRICTION = "restriction", "Limitation du traitement"
        OBJECTION = "objection", "Opposition au traitement"
        PORTABILITY = "portability", "Portabilité"

    class Status(models.TextChoices):
        OPEN = "open", "En attente de réponse"
        ANSWERED = "answered", "Répondue"
        REFUSED = "refused", "Refusée"

    # The person: kept by name and email too, so that the request (evidence that the
    # organisation answered in time) outlives an erased account.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                             blank=True, related_name="+", verbose_name="personne")
    person_name = models.CharField("nom", max_length=255)
    person_email = models.EmailField("courriel")
    right = models.CharField("droit exercé", max_length=20, choices=Right.choices)
    message = models.TextField("message", blank=True)
    received_on = models.DateField("reçue le")
    answer_by = models.DateField("réponse au plus tard le")
    extended_answer_by = models.DateField("délai prolongé au plus tard le")
    status = models.CharField("état", max_length=10, choices=Status.choices, default=Status.OPEN)
    answered_on = models.DateField("répondue le", null=True, blank=True)
    answer = models.TextField("réponse", blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+", verbose_name="traitée par")
    # RGPD art. 12.3: the two-month extension, told to the person with its reasons within
    # the first month.
    extended_on = models.DateField("prolongation décidée le", null=True, blank=True)
    extension_reason = models.TextField("motif de la prolongation", blank=True)

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = "demande sur des données personnelles"
        verbose_name_plural = "demandes sur des données personnelles"
        indexes = [models.Index(fields=["organisation", "status", "answer_by"])]

    def __str__(self) -> str:
        return f"{self.get_right_display()} — {self.person_name} ({self.received_on:%d/%m/%Y})"

    @property
    def due_by(self) -> date:
        """The deadline in force: one month, or three once the extension was decided."""
        return self.extended_answer_by if self.extended_on else self.answer_by

    def is_overdue(self, today: date) -> bool:
        """Still unanswered after the deadline in force (RGPD art. 12.3)."""
        return self.status == self.Status.OPEN and today > self.due_by


class InactivityNotice(TenantModel):
    """LRN-5: the warning sent before an inactive account is deleted, then its deletion. One
    row per (user, deletion date the core gave): the daily job is idempotent, and a login
    after the warning gives a later date (a new row, a new warning)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                             related_name="+")
    deletion_from = models.DateField("suppression possible à partir du")
    explanation = models.TextField("règle appliquée")
    warned_at = models.DateTimeField("averti le")
    deleted_at = models.DateTimeField("compte supprimé le", null=True, blank=True)

    class Meta:
        ordering = ["-warned_at", "id"]
        verbose_name = "avis d'inactivité (LRN-5)"
        verbose_name_plural = "avis d'inactivité (LRN-5)"
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user", "deletion_from"],
                                    name="inactivity_notice_once"),
        ]

    def __str__(self) -> str:
        return f"Inactivité — {self.user} — {self.deletion_from:%d/%m/%Y}"
