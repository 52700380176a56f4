"""Files uploaded for a learner or a trainer (CV, diplomas, identity document for a
certification), stored privately and deleted when their retention ends (`retention.py`)."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.db import models

from ofelia.core.models import TenantModel
from ofelia.core.storage import private_storage


def document_upload_to(instance: PersonDocument, filename: str) -> str:
    suffix = Path(filename).suffix.lower()[:8]
    return f"documents/{instance.organisation_id}/{uuid.uuid4().hex}{suffix}"


class PersonDocument(TenantModel):
    class Kind(models.TextChoices):
        CV = "cv", "CV"
        DIPLOMA = "diploma", "Diplôme ou titre"
        IDENTITY = "identity", "Pièce d'identité (certification)"
        OTHER = "other", "Autre document"

    learner = models.ForeignKey("organisations.Learner", on_delete=models.CASCADE, null=True,
                                blank=True, related_name="documents", verbose_name="apprenant")
    trainer = models.ForeignKey("catalogue.Trainer", on_delete=models.CASCADE, null=True,
                                blank=True, related_name="documents", verbose_name="formateur")
    kind = models.CharField("type de document", max_length=10, choices=Kind.choices)
    title = models.CharField("intitulé", max_length=200, blank=True)
    file = models.FileField("fichier", upload_to=document_upload_to, storage=private_storage,
                            max_length=300)
    original_name = models.CharField("nom du fichier", max_length=255)
    content_type = models.CharField("type de fichier", max_length=60)
    size = models.PositiveIntegerField("taille (octets)")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+",
                                    verbose_name="déposé par")
    uploaded_on = models.DateField("déposé le")
    keep_until = models.DateField("conservé jusqu'au")
    retention_clause = models.CharField("règle de conservation", max_length=255)

    class Meta:
        ordering = ["-uploaded_on", "-id"]
        verbose_name = "document"
        verbose_name_plural = "documents"
        indexes = [models.Index(fields=["keep_until"], name="document_keep_until")]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(learner__isnull=False, trainer__isnull=True)
                           | models.Q(learner__isnull=True, trainer__isnull=False)),
                name="document_of_one_learner_or_one_trainer"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.title or self.original_name}"
