"""The platform's availability (VCL-7, ACC-3).

`Probe`: one row per minute and per service probed (platform-wide, not a tenant's), unique
on the pair so that a retried probe never adds a second row; after `RAW_MONTHS` months the
rows are folded into `ProbeMonth` (see docs/availability.md). `Incident`: an interruption of
the organisation's hosted service, declared by staff or suspected by the probes; a
maintenance is an incident of cause « maintenance » with its announcement instant.
`Credit`: the credit note granted for one client and one month (VCL-7), unique, so that
granting twice issues one note.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from ofelia.core.models import TenantModel


class Service(models.TextChoices):
    HTTP = "http", "Page de santé (HTTP)"
    DATABASE = "database", "Base de données"
    BROKER = "broker", "File de tâches"


class Probe(models.Model):
    minute = models.DateTimeField("minute")
    service = models.CharField("service", max_length=10, choices=Service.choices)
    ok = models.BooleanField("disponible")
    latency_ms = models.PositiveIntegerField("temps de réponse (ms)", default=0)
    detail = models.CharField("détail", max_length=200, blank=True)

    class Meta:
        ordering = ["-minute", "service"]
        verbose_name = "sonde"
        constraints = [models.UniqueConstraint(fields=["minute", "service"], name="probe_one_per_minute_and_service")]

    def __str__(self) -> str:
        return f"{self.get_service_display()} {self.minute:%Y-%m-%d %H:%M} : {'ok' if self.ok else 'échec'}"


class ProbeMonth(models.Model):
    """The probes of a month once their raw rows are purged: how many, how many failed."""

    month = models.DateField("mois")  # its first day
    service = models.CharField("service", max_length=10, choices=Service.choices)
    probes = models.PositiveIntegerField("sondes", default=0)
    failures = models.PositiveIntegerField("échecs", default=0)

    class Meta:
        ordering = ["-month", "service"]
        verbose_name = "sondes d'un mois"
        constraints = [models.UniqueConstraint(fields=["month", "service"], name="probe_month_one_per_service")]

    def __str__(self) -> str:
        return f"{self.get_service_display()} {self.month:%m/%Y} : {self.failures}/{self.probes}"


class Incident(TenantModel):
    class Cause(models.TextChoices):
        OUTAGE = "outage", "Panne"
        MAINTENANCE = "maintenance", "Maintenance programmée"
        FORCE_MAJEURE = "force_majeure", "Force majeure"
        THIRD_PARTY = "third_party", "Défaillance d'un tiers"

    class Status(models.TextChoices):
        SUSPECTED = "suspected", "Suspecté par les sondes"
        CONFIRMED = "confirmed", "Confirmé"
        DISMISSED = "dismissed", "Écarté"

    start = models.DateTimeField("début")
    end = models.DateTimeField("fin", null=True, blank=True)  # empty: still going on
    cause = models.CharField("cause", max_length=15, choices=Cause.choices, default=Cause.OUTAGE)
    status = models.CharField("état", max_length=10, choices=Status.choices, default=Status.CONFIRMED)
    services = models.CharField("services touchés", max_length=200, blank=True)
    description = models.TextField("description", blank=True)
    all_clients = models.BooleanField("tous les clients", default=True)
    companies = models.ManyToManyField("organisations.ClientCompany", blank=True, related_name="+",
                                       verbose_name="clients touchés")
    # Maintenance only: when the clients were told (ACC-3, VCL-7: at least 48 h ahead).
    announced_at = models.DateTimeField("annoncée le", null=True, blank=True)
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name="déclaré par")

    class Meta:
        ordering = ["-start", "-id"]
        verbose_name = "incident"
        indexes = [models.Index(fields=["organisation", "start"], name="incident_org_start")]
        constraints = [models.CheckConstraint(condition=models.Q(end__isnull=True) | models.Q(end__gt=models.F("start")),
                                              name="incident_ends_after_start")]

    def __str__(self) -> str:
        return f"{self.get_cause_display()} du {self.start:%d/%m/%Y %H:%M}"

    @property
    def is_maintenance(self) -> bool:
        return self.cause == self.Cause.MAINTENANCE


class Credit(TenantModel):
    """The availability credit granted to a client for a month (VCL-7), as a credit note."""

    company = models.ForeignKey("organisations.ClientCompany", on_delete=models.PROTECT, related_name="+",
                                verbose_name="client")
    month = models.DateField("mois")  # its first day
    amount = models.DecimalField("avoir HT", max_digits=12, decimal_places=2)
    rule = models.CharField("règle", max_length=20)
    explanation = models.TextField("motif")
    note = models.ForeignKey("billing.Invoice", on_delete=models.PROTECT, related_name="+", verbose_name="avoir")
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name="accordé par")

    class Meta:
        ordering = ["-month", "company__name"]
        verbose_name = "avoir de disponibilité"
        constraints = [models.UniqueConstraint(fields=["organisation", "company", "month"],
                                               name="availability_credit_one_per_client_and_month")]

    def __str__(self) -> str:
        return f"{self.company} {self.month:%m/%Y}"
