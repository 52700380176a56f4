"""Attendance (émargement) per half-day, its amendments and the sealed documents.

A sheet belongs to one planned half-day (`catalogue.SessionSlot`). Learners sign it, the
trainer signs last, which closes it; a closed sheet is never changed again except through
an `Amendment` (who, why, before/after), and every issued PDF is sealed (PAdES) so that a
later change to the file shows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from ofelia.core.models import TenantModel


class Channel(models.TextChoices):
    TRAINER_DEVICE = "trainer_device", "sur l'appareil du formateur"
    QR_CODE = "qr_code", "par QR code sur son téléphone"
    EXTRANET = "extranet", "depuis l'extranet (à distance)"


class AttendanceSheet(TenantModel):
    class Status(models.TextChoices):
        OPEN = "open", "ouverte"
        CLOSED = "closed", "clôturée"

    slot = models.OneToOneField("catalogue.SessionSlot", on_delete=models.PROTECT,
                                related_name="attendance_sheet", verbose_name="demi-journée")
    status = models.CharField("état", max_length=10, choices=Status.choices, default=Status.OPEN)
    # Part of every QR token of this sheet: a new nonce voids the codes already shown.
    nonce = models.CharField(max_length=32, editable=False)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  null=True, related_name="+")
    trainer = models.ForeignKey("catalogue.Trainer", on_delete=models.PROTECT, null=True,
                                related_name="attendance_sheets", verbose_name="formateur")
    trainer_signature = models.TextField("signature du formateur", blank=True)
    trainer_signed_at = models.DateTimeField("signée par le formateur le", null=True, blank=True)
    trainer_ip = models.GenericIPAddressField(null=True, blank=True)
    trainer_user_agent = models.CharField(max_length=400, blank=True)

    class Meta:
        ordering = ["slot__day", "slot__starts_at"]
        verbose_name = "feuille d'émargement"
        verbose_name_plural = "feuilles d'émargement"

    def __str__(self) -> str:
        return f"Émargement {self.slot}"

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED


class Mark(TenantModel):
    """One learner on one sheet: present (signed), late (signed, from arrival) or absent."""

    class Status(models.TextChoices):
        PRESENT = "present", "présent"
        LATE = "late", "en retard"
        ABSENT = "absent", "absent"

    sheet = models.ForeignKey(AttendanceSheet, on_delete=models.PROTECT, related_name="marks")
    enrolment = models.ForeignKey("catalogue.Enrolment", on_delete=models.PROTECT,
                                  related_name="attendance_marks")
    status = models.CharField("présence", max_length=10, choices=Status.choices)
    arrived_at = models.TimeField("arrivée", null=True, blank=True)
    left_at = models.TimeField("départ", null=True, blank=True)
    reason = models.CharField("motif", max_length=300, blank=True)
    signature = models.TextField("signature", blank=True)
    signed_at = models.DateTimeField("signé le", null=True, blank=True)
    channel = models.CharField("moyen", max_length=20, choices=Channel.choices, blank=True)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                  null=True, blank=True, related_name="+")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["sheet", "enrolment__learner__last_name", "id"]
        verbose_name = "présence"
        verbose_name_plural = "présences"
        constraints = [
            models.UniqueConstraint(fields=["sheet", "enrolment"], name="mark_once_per_sheet"),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment.learner} — {self.get_status_display()}"


class Amendment(TenantModel):
    """A correction of a closed sheet: who, why, and the mark before and after."""

    sheet = models.ForeignKey(AttendanceSheet, on_delete=models.PROTECT, related_name="amendments")
    mark = models.ForeignKey(Mark, on_delete=models.PROTECT, related_name="amendments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                               related_name="+")
    reason = models.CharField("motif de la correction", max_length=500)
    before = models.JSONField("avant")
    after = models.JSONField("après")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "correction d'émargement"
        verbose_name_plural = "corrections d'émargement"


class SealingKey(TenantModel):
    """The organisation's seal: a certificate and its private key, encrypted at rest.

    The demo and the tests generate a self-signed one; an organisation in production
    replaces it by a certificate from a trusted authority (see docs/attendance.md).
    """

    certificate_pem = models.TextField()
    # PKCS#8, encrypted with a key derived from SECRET_KEY (never stored in clear).
    encrypted_key_pem = models.TextField()
    self_signed = models.BooleanField(default=True)

    class Meta:
        verbose_name = "certificat de cachet"
        constraints = [models.UniqueConstraint(fields=["organisation"], name="one_seal_per_organisation")]


class Document(TenantModel):
    """A sealed PDF: a sheet (a new version after each amendment) or a learner's certificate."""

    class Kind(models.TextChoices):
        SHEET = "sheet", "feuille d'émargement"
        COMPLETION = "completion", "certificat de réalisation"
        END_OF_TRAINING = "end_of_training", "attestation de fin de formation"
        ASSIDUITY = "assiduity", "attestation d'assiduité"

    kind = models.CharField("document", max_length=20, choices=Kind.choices)
    sheet = models.ForeignKey(AttendanceSheet, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="documents")
    enrolment = models.ForeignKey("catalogue.Enrolment", on_delete=models.PROTECT, null=True,
                                  blank=True, related_name="attendance_documents")
    version = models.PositiveIntegerField(default=1)
    hours = models.DecimalField("heures réalisées", max_digits=7, decimal_places=2, null=True,
                                blank=True)
    pdf = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                  blank=True, related_name="+")

    class Meta:
        ordering = ["kind", "-version", "-id"]
        verbose_name = "document scellé"
        verbose_name_plural = "documents scellés"
        indexes = [models.Index(fields=["organisation", "enrolment", "kind"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version}"

    @property
    def filename(self) -> str:
        if self.enrolment_id is not None:
            learner = self.enrolment.learner
            who = f"{learner.last_name}-{learner.first_name}".replace(" ", "-")
            return f"{self.kind}-{who}-v{self.version}.pdf"
        return f"emargement-{self.sheet_id}-v{self.version}.pdf"
