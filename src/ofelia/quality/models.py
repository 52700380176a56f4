"""The complaints register and the improvement actions they lead to (Qualiopi indicators
31 and 32; issue 11 item 5). The BPF has no table of its own: it is computed from the
invoices, contracts, enrolments and attendance each time (`ofelia.quality.bpf`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from ofelia.core.models import TenantModel


class Complaint(TenantModel):
    class Channel(models.TextChoices):
        EXTRANET = "extranet", "Extranet (déposée par le client)"
        EMAIL = "email", "Courriel"
        PHONE = "phone", "Téléphone"
        LETTER = "letter", "Courrier"
        SURVEY = "survey", "Questionnaire de satisfaction"
        IN_PERSON = "in_person", "En personne"

    class Status(models.TextChoices):
        RECEIVED = "received", "Reçue"
        ANSWERED = "answered", "Répondue"
        CLOSED = "closed", "Clôturée"

    number = models.PositiveIntegerField("numéro")
    complainant = models.CharField("auteur de la réclamation", max_length=255)
    complainant_email = models.EmailField("courriel de l'auteur", blank=True)
    client_company = models.ForeignKey("organisations.ClientCompany", on_delete=models.PROTECT,
                                       null=True, blank=True, related_name="+",
                                       verbose_name="entreprise cliente")
    consumer_client = models.ForeignKey("organisations.ConsumerClient", on_delete=models.PROTECT,
                                        null=True, blank=True, related_name="+",
                                        verbose_name="client particulier")
    lodged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                  blank=True, related_name="+", verbose_name="enregistrée par")
    channel = models.CharField("canal", max_length=20, choices=Channel.choices)
    subject = models.CharField("objet", max_length=200)
    description = models.TextField("description")
    concerns_delivery = models.BooleanField("porte sur la réalisation de la prestation",
                                            default=False)
    contract = models.ForeignKey("sales.Contract", on_delete=models.PROTECT, null=True,
                                 blank=True, related_name="+", verbose_name="contrat")
    received_on = models.DateField("reçue le")
    # Set by the organisation (its quality procedure), not by the law: see docs/quality.md.
    answer_due_on = models.DateField("réponse attendue au plus tard le")
    answer = models.TextField("réponse", blank=True)
    answered_on = models.DateField("répondue le", null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+",
                                    verbose_name="répondue par")
    status = models.CharField("état", max_length=10, choices=Status.choices,
                              default=Status.RECEIVED)
    closed_on = models.DateField("clôturée le", null=True, blank=True)
    closing_note = models.TextField("bilan de clôture", blank=True)

    class Meta:
        ordering = ["-received_on", "-number"]
        verbose_name = "réclamation"
        verbose_name_plural = "réclamations"
        constraints = [models.UniqueConstraint(fields=["organisation", "number"],
                                               name="complaint_number_unique_per_organisation")]

    def __str__(self) -> str:
        return f"Réclamation n° {self.number} — {self.subject}"

    def is_late(self, today: object) -> bool:
        """Unanswered past the deadline the organisation set."""
        return self.answered_on is None and self.answer_due_on < today  # type: ignore[operator]


class ImprovementAction(TenantModel):
    class Status(models.TextChoices):
        PLANNED = "planned", "Prévue"
        IN_PROGRESS = "in_progress", "En cours"
        DONE = "done", "Réalisée"
        ABANDONED = "abandoned", "Abandonnée"

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="actions", verbose_name="réclamation d'origine")
    title = models.CharField("action", max_length=200)
    description = models.TextField("description", blank=True)
    owner = models.CharField("responsable", max_length=255)
    due_on = models.DateField("échéance")
    status = models.CharField("état", max_length=15, choices=Status.choices,
                              default=Status.PLANNED)
    done_on = models.DateField("réalisée le", null=True, blank=True)
    outcome = models.TextField("résultat constaté", blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = "action d'amélioration"
        verbose_name_plural = "actions d'amélioration"

    def __str__(self) -> str:
        return self.title


class QualiopiExclusion(TenantModel):
    """An indicator the organisation records as « non applicable » (it does not run the
    activity the indicator is about: apprenticeship, certifying trainings…), with its reason."""

    indicator = models.PositiveSmallIntegerField("indicateur")
    reason = models.TextField("motif")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name="décidé par")

    class Meta:
        ordering = ["indicator"]
        verbose_name = "indicateur Qualiopi non applicable"
        verbose_name_plural = "indicateurs Qualiopi non applicables"
        constraints = [models.UniqueConstraint(fields=["organisation", "indicator"],
                                               name="qualiopi_exclusion_once_per_indicator")]

    def __str__(self) -> str:
        return f"Indicateur {self.indicator} non applicable"
