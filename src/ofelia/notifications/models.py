"""Templates the organisation edits, mails sent (the outbox, kept as evidence) and opt-outs."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models

from ofelia.core.models import TenantModel

from .kinds import KINDS

KIND_CHOICES = [(k.code, k.label) for k in KINDS]


class MailTemplate(TenantModel):
    """The organisation's own subject and body for one kind (else the default in `kinds`)."""

    kind = models.CharField("type", max_length=40, choices=KIND_CHOICES)
    subject = models.CharField("objet", max_length=250)
    body = models.TextField("texte")

    class Meta:
        verbose_name = "modèle de courriel"
        constraints = [models.UniqueConstraint(fields=["organisation", "kind"],
                                               name="notifications_template_unique")]

    def __str__(self) -> str:
        return self.get_kind_display()


class SentMail(TenantModel):
    """One mail to one address: written when the event commits, sent by the task queue."""

    class Status(models.TextChoices):
        QUEUED = "queued", "En attente d'envoi"
        SENT = "sent", "Envoyé"
        FAILED = "failed", "Échec"
        SKIPPED = "skipped", "Non envoyé (désabonné)"

    kind = models.CharField("type", max_length=40, choices=KIND_CHOICES)
    to = models.EmailField("destinataire")
    subject = models.CharField("objet", max_length=250)
    body = models.TextField("texte")
    status = models.CharField("état", max_length=10, choices=Status.choices, default=Status.QUEUED)
    # What the mail is about: any object (generic reference, no import of the apps above);
    # the contract's id also kept so a contract's page lists its invoices' mails too.
    about_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    about_id = models.PositiveBigIntegerField(null=True, blank=True)
    contract_id = models.PositiveBigIntegerField("contrat", null=True, blank=True, db_index=True)
    sent_at = models.DateTimeField("envoyé le", null=True, blank=True)
    error = models.TextField("erreur", blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "courriel envoyé"
        indexes = [models.Index(fields=["about_type", "about_id"], name="notifications_about_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} à {self.to}"


class MailAttachment(models.Model):
    mail = models.ForeignKey(SentMail, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(max_length=200)
    mimetype = models.CharField(max_length=100)
    content = models.BinaryField(null=True)
    # Or made by the task when it sends: a function's dotted path and the object's id (an
    # issued invoice's PDF is frozen, so it is the same document either way).
    source = models.CharField(max_length=200, blank=True)
    source_id = models.PositiveBigIntegerField(null=True)

    def __str__(self) -> str:
        return self.filename


class OptOut(TenantModel):
    """A person (by address) does not want this optional kind of mail from this organisation."""

    email = models.EmailField("adresse")
    kind = models.CharField("type", max_length=40, choices=KIND_CHOICES)

    class Meta:
        verbose_name = "désabonnement"
        constraints = [models.UniqueConstraint(fields=["organisation", "email", "kind"],
                                               name="notifications_optout_unique")]

    def __str__(self) -> str:
        return f"{self.email} : {self.get_kind_display()}"
