"""Trainings, their sessions and who is enrolled (PRODUCT.md capability 2).

A training carries what its contract must say (objectives, programme, prerequisites,
means, follow-up, assessment, trainers with their titles: D6353-1 / L6353-4), so that a
convention or contrat built from it is complete. Only published trainings appear on the
organisation's public catalogue.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
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


class Trainer(TenantModel):
    """A trainer of the organisation (a membership with the trainer role) and their titles."""

    membership = models.OneToOneField(
        "organisations.Membership", on_delete=models.CASCADE, related_name="trainer_profile",
        verbose_name="compte du formateur",
    )
    titles = models.TextField(
        "diplômes, titres ou références", blank=True,
        help_text="Imprimé sur le contrat de formation (Code du travail L6353-4, 4°).",
    )

    class Meta:
        ordering = ["membership__user__last_name", "id"]
        verbose_name = "formateur"
        verbose_name_plural = "formateurs"

    def __str__(self) -> str:
        user = self.membership.user
        return user.get_full_name() or user.get_username()

    def clean(self) -> None:
        from ofelia.organisations.models import Role

        if self.membership_id and self.membership.role != Role.TRAINER:
            raise ValidationError({"membership": "Ce compte n'a pas le rôle de formateur."})
        if self.membership_id and self.organisation_id and self.membership.organisation_id != self.organisation_id:
            raise ValidationError({"membership": "Ce compte appartient à un autre organisme."})

    @property
    def with_titles(self) -> str:
        return f"{self} — {self.titles}" if self.titles.strip() else str(self)


class BpfObjective(models.TextChoices):
    """Cadre F-3 of the bilan pédagogique et financier (cerfa 10443): the training's aim."""

    RNCP_6_8 = "rncp_6_8", "Certification RNCP de niveau 6 à 8 (licence, master, doctorat…)"
    RNCP_5 = "rncp_5", "Certification RNCP de niveau 5 (BTS, DUT…)"
    RNCP_4 = "rncp_4", "Certification RNCP de niveau 4 (baccalauréat…)"
    RNCP_3 = "rncp_3", "Certification RNCP de niveau 3 (CAP, BEP…)"
    RNCP_2 = "rncp_2", "Certification RNCP de niveau 2"
    RNCP_CQP = "rncp_cqp", "CQP enregistré au RNCP sans niveau"
    RS = "rs", "Certification ou habilitation du répertoire spécifique (RS)"
    CQP = "cqp", "CQP non enregistré"
    OTHER = "other", "Autre formation professionnelle"
    SKILLS_ASSESSMENT = "skills_assessment", "Bilan de compétences"
    VAE = "vae", "Accompagnement à la VAE"


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
    is_published = models.BooleanField(
        "publiée au catalogue public", default=False,
        help_text="Visible sans connexion sur la page catalogue de l'organisme.",
    )
    price_intra_excl_vat = models.DecimalField(
        "prix intra-entreprise HT (par groupe)", max_digits=10, decimal_places=2, null=True,
        blank=True, validators=[MinValueValidator(Decimal("0"))],
    )
    objectives = models.TextField("objectifs", blank=True)
    programme = models.TextField("programme", blank=True)
    prerequisites = models.TextField("prérequis", blank=True)
    audience = models.CharField("public visé", max_length=255, blank=True)
    means = models.TextField("moyens pédagogiques, techniques et d'encadrement", blank=True)
    follow_up = models.TextField("suivi de l'exécution (émargement…)", blank=True)
    assessment = models.TextField("évaluation et sanction de la formation", blank=True)
    trainers = models.ManyToManyField(Trainer, blank=True, related_name="trainings",
                                      verbose_name="formateurs")
    # BPF cadre F-3; empty until staff say it (the BPF checker lists the trainings without).
    bpf_objective = models.CharField("objectif (bilan pédagogique et financier)", max_length=20,
                                     choices=BpfObjective.choices, blank=True)

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
    remote_link = models.URLField("lien de connexion (à distance)", blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), validators=[MinValueValidator(1)])
    trainers = models.ManyToManyField(Trainer, blank=True, related_name="sessions",
                                      verbose_name="formateurs")
    # BPF cadre F-2: the delivery entrusted to another training organisation (its name).
    subcontractor = models.CharField("sous-traitée à (organisme de formation)", max_length=255,
                                     blank=True)

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


class SessionSlot(models.Model):
    """One half-day of a session (attendance is signed per half-day)."""

    class Part(models.TextChoices):
        MORNING = "morning", "matin"
        AFTERNOON = "afternoon", "après-midi"

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="slots")
    day = models.DateField("jour")
    part = models.CharField("demi-journée", max_length=10, choices=Part.choices)
    starts_at = models.TimeField("début")
    ends_at = models.TimeField("fin")

    class Meta:
        ordering = ["day", "starts_at"]
        verbose_name = "demi-journée"
        verbose_name_plural = "demi-journées"
        constraints = [
            models.UniqueConstraint(fields=["session", "day", "part"], name="slot_once_per_half_day"),
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")),
                                   name="slot_ends_after_it_starts"),
        ]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y} {self.get_part_display()} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "La demi-journée doit finir après son début."})
        if self.starts_at and self.part:
            noon = self.starts_at.hour < 12
            if noon != (self.part == self.Part.MORNING):
                raise ValidationError({"part": "Le matin commence avant midi, l'après-midi après."})
        if self.session_id and self.day and not (
            self.session.start_date <= self.day <= self.session.end_date
        ):
            raise ValidationError({"day": "Ce jour est en dehors des dates de la session."})


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


class Review(TenantModel):
    """ACC-9: a learner's rating (1–5) and review of a training they followed, once the
    session has ended; published on the public catalogue only after staff moderation."""

    class Status(models.TextChoices):
        PENDING = "pending", "En attente de modération"
        PUBLISHED = "published", "Publié"
        REJECTED = "rejected", "Refusé"

    training = models.ForeignKey(Training, on_delete=models.CASCADE, related_name="reviews",
                                 verbose_name="formation")
    enrolment = models.OneToOneField(Enrolment, on_delete=models.CASCADE, related_name="review",
                                     verbose_name="inscription")
    rating = models.PositiveSmallIntegerField("note", validators=[MinValueValidator(1),
                                                                  MaxValueValidator(5)])
    text = models.TextField("avis", blank=True)
    status = models.CharField("statut", max_length=10, choices=Status.choices, default=Status.PENDING)
    reject_reason = models.TextField("motif du refus", blank=True)
    answer = models.TextField("réponse de l'organisme", blank=True)
    created_at = models.DateTimeField("déposé le")
    moderated_at = models.DateTimeField("modéré le", null=True, blank=True)
    moderated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                     blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = "avis"
        verbose_name_plural = "avis"
        constraints = [
            models.CheckConstraint(condition=models.Q(rating__gte=1, rating__lte=5),
                                   name="review_rating_1_to_5"),
        ]
        indexes = [models.Index(fields=["training", "status"])]

    def __str__(self) -> str:
        return f"Avis {self.rating}/5 — {self.training}"

    @property
    def author(self) -> str:
        """What is published of the author: first name and initial, nothing else."""
        learner = self.enrolment.learner
        initial = f" {learner.last_name[:1].upper()}." if learner.last_name else ""
        return f"{learner.first_name}{initial}".strip() or "Stagiaire"
