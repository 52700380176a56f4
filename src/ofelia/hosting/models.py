"""A hosted virtual class ordered by a client (VIRTUALEO's terms, V art. 6 to 9).

The class keeps what was configured and the policy version in force at its creation (VCL-2:
the prices in force at creation apply); every amount and deadline is the rules core's
answer for the `virtual_class` case of SIMULATION.md built from these fields
(`ofelia.hosting.rules_io`), so the page and `ofelia simulate` never disagree.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from ofelia.core.models import TenantModel


class VirtualClass(TenantModel):
    class Mode(models.TextChoices):
        SCHEDULED = "scheduled", "Programmée (prête à l'heure de démarrage)"
        ON_DEMAND = "on_demand", "À la demande (le jour même)"

    class Software(models.TextChoices):
        OFFICE = "office", "Pack bureautique"
        DEVELOPMENT = "development", "Pack développement"
        DATA = "data", "Pack data et BI"
        CUSTOM = "custom", "Configuration sur mesure"

    class Status(models.TextChoices):
        ORDERED = "ordered", "Commandée"
        CANCELLED = "cancelled", "Annulée"

    company = models.ForeignKey("organisations.ClientCompany", on_delete=models.PROTECT, related_name="+",
                                verbose_name="client")
    ordered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name="commandée par")
    title = models.CharField("intitulé", max_length=200)
    mode = models.CharField("mode", max_length=10, choices=Mode.choices, default=Mode.SCHEDULED)
    start = models.DateTimeField("démarrage")
    days = models.PositiveSmallIntegerField("nombre de jours", validators=[MinValueValidator(1),
                                                                           MaxValueValidator(60)])
    daily_hours = models.DecimalField("heures par jour", max_digits=4, decimal_places=2, default=Decimal("9"),
                                      validators=[MinValueValidator(Decimal("0.5")),
                                                  MaxValueValidator(Decimal("24"))])
    learners = models.PositiveSmallIntegerField("stagiaires", validators=[MinValueValidator(1)])
    software = models.CharField("logiciels", max_length=12, choices=Software.choices, default=Software.OFFICE)
    custom_configuration = models.TextField("configuration sur mesure", blank=True)
    # The class's creation in the terms' sense (VCL-2: the prices in force then apply).
    ordered_at = models.DateTimeField("commandée le")
    validated_at = models.DateTimeField("demande validée le", null=True, blank=True)
    policy_id = models.CharField("politique", max_length=60)
    policy_version = models.CharField("version de la politique", max_length=40)
    status = models.CharField("statut", max_length=10, choices=Status.choices, default=Status.ORDERED)
    cancelled_at = models.DateTimeField("annulée le", null=True, blank=True)
    # The estimate shown at creation (VCL-2, indicative), kept as the client saw it.
    estimate_excl_vat = models.DecimalField("estimation HT", max_digits=10, decimal_places=2)
    estimate_vat = models.DecimalField("TVA de l'estimation", max_digits=10, decimal_places=2)

    class Meta:
        ordering = ["-start", "-id"]
        verbose_name = "classe virtuelle"
        verbose_name_plural = "classes virtuelles"
        constraints = [models.CheckConstraint(condition=models.Q(learners__gte=1), name="virtual_class_learners_positive")]

    def __str__(self) -> str:
        return f"{self.title} ({self.start:%d/%m/%Y})"

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    def machines(self) -> int:
        return self.learners + 1  # VCL-1: plus the instructor's environment

    def ends_at(self) -> datetime:
        from datetime import timedelta

        return self.start + timedelta(days=self.days - 1, hours=float(self.daily_hours))


class UsageEvent(TenantModel):
    """One line of the metering ledger: a machine started, stopped or reported it was running.

    Append-only: nothing updates or deletes a row (no service does; the admin is read-only).
    Idempotent on `event_id` within an organisation: a re-sent event is stored once. Events
    may arrive late and out of order; the ledger is read ordered by `at`."""

    class Kind(models.TextChoices):
        START = "start", "Démarrage"
        STOP = "stop", "Arrêt"
        HEARTBEAT = "heartbeat", "Signal de fonctionnement"

    klass = models.ForeignKey(VirtualClass, on_delete=models.PROTECT, related_name="usage_events",
                              verbose_name="classe")
    event_id = models.CharField("identifiant de l'événement", max_length=64)
    machine = models.CharField("machine", max_length=20)
    kind = models.CharField("type", max_length=10, choices=Kind.choices)
    at = models.DateTimeField("instant")

    class Meta:
        ordering = ["at", "id"]
        verbose_name = "événement de consommation"
        verbose_name_plural = "journal de consommation"
        constraints = [models.UniqueConstraint(fields=["organisation", "event_id"], name="usage_event_once")]
        indexes = [models.Index(fields=["klass", "machine", "at"])]


class Extension(TenantModel):
    """VCL-4: one more hour on a class day, asked for, then approved (or refused) by the
    organisation's administrative staff. Only an approved extension is billed as such."""

    class Status(models.TextChoices):
        REQUESTED = "requested", "Demandée"
        APPROVED = "approved", "Approuvée"
        REFUSED = "refused", "Refusée"

    klass = models.ForeignKey(VirtualClass, on_delete=models.PROTECT, related_name="extensions",
                              verbose_name="classe")
    day = models.PositiveSmallIntegerField("jour de la classe")
    hours = models.DecimalField("heures", max_digits=4, decimal_places=2, default=Decimal("1"))
    status = models.CharField("statut", max_length=10, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name="demandée par")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name="décidée par")
    decided_at = models.DateTimeField("décidée le", null=True, blank=True)

    class Meta:
        ordering = ["day", "id"]
        verbose_name = "prolongation"
        constraints = [models.UniqueConstraint(fields=["klass", "day"], name="one_extension_per_class_day")]


class Machine(TenantModel):
    """One machine of a class (VCL-1: slot 0 is the instructor's, 1…30 the learners'), or of
    the warm pool of a software pack (no class yet). Created through the operator's libcloud
    driver; the node is named after the row (`node_name`), so a retried or concurrent task
    finds the node instead of creating a second one. A failed machine is kept (with its
    events in the audit trail) and a new row takes its slot."""

    class State(models.TextChoices):
        REQUESTED = "requested", "Demandée"
        CREATING = "creating", "En création"
        READY = "ready", "Prête"
        STOPPED = "stopped", "Arrêtée"
        FAILED = "failed", "En échec"
        DESTROYED = "destroyed", "Détruite"

    klass = models.ForeignKey(VirtualClass, on_delete=models.PROTECT, related_name="provisioned",
                              null=True, blank=True, verbose_name="classe")
    slot = models.PositiveSmallIntegerField("poste", null=True, blank=True)
    software = models.CharField("logiciels", max_length=12, choices=VirtualClass.Software.choices)
    state = models.CharField("état", max_length=10, choices=State.choices, default=State.REQUESTED)
    node_id = models.CharField("nœud chez le fournisseur", max_length=200, blank=True)
    address = models.CharField("adresse", max_length=200, blank=True)
    # Who is creating it: the claim of one task (its id, so that the same task redelivered
    # after its worker died resumes it), taken by a conditional UPDATE.
    claim = models.CharField("réservée par", max_length=64, blank=True)
    claimed_at = models.DateTimeField("réservée le", null=True, blank=True)
    ready_at = models.DateTimeField("prête le", null=True, blank=True)
    # Stopped by staff during the class: the daily power schedule leaves it off.
    held = models.BooleanField("arrêtée par le personnel", default=False)
    power_seq = models.PositiveIntegerField("transitions manuelles", default=0)
    destroyed_at = models.DateTimeField("détruite le", null=True, blank=True)

    class Meta:
        ordering = ["slot", "id"]
        verbose_name = "machine"
        constraints = [models.UniqueConstraint(
            fields=["klass", "slot"], name="one_live_machine_per_class_slot",
            condition=~models.Q(state__in=["failed", "destroyed"]))]
        indexes = [models.Index(fields=["state", "software"])]

    def __str__(self) -> str:
        return self.node_name

    @property
    def node_name(self) -> str:
        return f"ofelia-vm-{self.pk}"

    @property
    def post(self) -> str:
        """The post as people name it (« Instructeur », « Stagiaire 3 », « réserve »)."""
        if self.slot is None:
            return "réserve"
        return "Instructeur" if self.slot == 0 else f"Stagiaire {self.slot}"

    @property
    def ledger_name(self) -> str:
        """The machine's name in the usage ledger (`ledger.machine_names`)."""
        return "instructor" if self.slot == 0 else f"learner-{self.slot}"
