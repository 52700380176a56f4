"""Trainings, their sessions and who is enrolled (PRODUCT.md capability 2).

Kept to what sessions and enrolment need today; sales and funding extend it.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ofelia.core.models import TenantModel


class Modality(models.TextChoices):
    CLASSROOM = "classroom", _("Classroom")
    REMOTE = "remote", _("Remote")
    ELEARNING = "elearning", _("E-learning")
    VIRTUAL_CLASS = "virtual_class", _("Virtual class")
    BLENDED = "blended", _("Blended")


class Format(models.TextChoices):
    # Inter: open to learners of several clients; intra: delivered for one client company.
    INTER = "inter", _("Inter-company")
    INTRA = "intra", _("Intra-company")


# France Compétences codes: RS (répertoire spécifique) or RNCP followed by digits.
validate_certification_code = RegexValidator(
    r"^(RS|RNCP)\d{2,6}$", _("Enter a code such as RS5908 or RNCP35284.")
)


class Training(TenantModel):
    title = models.CharField(_("title"), max_length=255)
    reference = models.CharField(_("reference code"), max_length=40)
    duration_hours = models.DecimalField(
        _("duration (hours)"),
        max_digits=7,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.5"))],
    )
    modality = models.CharField(
        _("modality"), max_length=20, choices=Modality.choices, default=Modality.CLASSROOM
    )
    format = models.CharField(_("inter or intra"), max_length=5, choices=Format.choices, default=Format.INTER)
    price_excl_vat = models.DecimalField(
        _("price excl. VAT"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    cpf_eligible = models.BooleanField(_("CPF eligible"), default=False)
    certification_code = models.CharField(
        _("certification code"), max_length=12, blank=True, validators=[validate_certification_code]
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("training")
        verbose_name_plural = _("trainings")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "reference"], name="training_reference_unique_per_organisation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} — {self.title}"

    def clean(self) -> None:
        # CPF only funds trainings leading to a registered certification.
        if self.cpf_eligible and not self.certification_code:
            raise ValidationError(
                {"certification_code": _("A CPF-eligible training needs its certification code.")}
            )


class TrainingSession(TenantModel):
    training = models.ForeignKey(
        Training, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("training")
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    place = models.CharField(_("place"), max_length=255, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["start_date", "id"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        indexes = [models.Index(fields=["organisation", "start_date"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="session_ends_after_it_starts",
            ),
            models.CheckConstraint(condition=models.Q(capacity__gte=1), name="session_capacity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.training.title} ({self.start_date:%d/%m/%Y})"

    def clean(self) -> None:
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The session cannot end before it starts.")})
        if self.training_id and self.organisation_id and self.training.organisation_id != self.organisation_id:
            raise ValidationError({"training": _("This training belongs to another organisation.")})


class Enrolment(TenantModel):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        WAITLISTED = "waitlisted", _("Waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    session = models.ForeignKey(
        TrainingSession, on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("session")
    )
    learner = models.ForeignKey(
        "organisations.Learner",
        on_delete=models.PROTECT,
        related_name="enrolments",
        verbose_name=_("learner"),
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.CONFIRMED)

    class Meta:
        ordering = ["session", "id"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(fields=["session", "learner"], name="enrolment_once_per_session")
        ]
        indexes = [models.Index(fields=["session", "status"])]

    def __str__(self) -> str:
        return f"{self.learner} — {self.session} ({self.get_status_display()})"
