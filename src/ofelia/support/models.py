"""Support tickets (RULES.md SUP-1, SUP-2; V art. 7.3).

A ticket keeps the policy version in force on its declaration day and the three deadlines
the rules core computed from it (`ofelia.support.rules_io`), so the queue sorts in the
database; the breaches are always recomputed by the core from the recorded step times.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models

from ofelia.core.models import TenantModel


class Ticket(TenantModel):
    class Priority(models.TextChoices):
        # The ids are the core's (ofelia.rules.tickets.PRIORITIES).
        CRITICAL = "critical", "Critique (indisponibilité totale de la solution)"
        IMPORTANT = "important", "Importante (fonctionnalité partiellement affectée)"
        MINOR = "minor", "Mineure (impact limité ou demande d'information)"

    company = models.ForeignKey("organisations.ClientCompany", on_delete=models.PROTECT,
                                related_name="+", verbose_name="client")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                  blank=True, related_name="+", verbose_name="déclaré par")
    opener_email = models.EmailField("courriel du déclarant", blank=True)
    priority = models.CharField("priorité", max_length=10, choices=Priority.choices)
    subject = models.CharField("objet", max_length=200)
    description = models.TextField("description")
    opened_at = models.DateTimeField("déclaré le")
    # The terms in force at the declaration (empty: the policy states no SUP-1, no deadline).
    policy_id = models.CharField("politique", max_length=60, blank=True)
    policy_version = models.CharField("version de la politique", max_length=40, blank=True)
    take_charge_by = models.DateTimeField("prise en charge au plus tard le", null=True, blank=True)
    workaround_by = models.DateTimeField("contournement au plus tard le", null=True, blank=True)
    resolution_by = models.DateTimeField("résolution au plus tard le", null=True, blank=True)
    taken_at = models.DateTimeField("pris en charge le", null=True, blank=True)
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                 blank=True, related_name="+", verbose_name="pris en charge par")
    workaround_at = models.DateTimeField("contournement donné le", null=True, blank=True)
    workaround = models.TextField("solution de contournement", blank=True)
    resolved_at = models.DateTimeField("résolu le", null=True, blank=True)
    resolution = models.TextField("résolution", blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = "ticket"
        verbose_name_plural = "tickets"
        indexes = [models.Index(fields=["organisation", "resolved_at"], name="ticket_org_open_idx")]

    def __str__(self) -> str:
        return f"Ticket n° {self.pk} — {self.subject}"

    @property
    def status_label(self) -> str:
        if self.resolved_at:
            return "Résolu"
        if self.workaround_at:
            return "Contournement donné"
        if self.taken_at:
            return "Pris en charge"
        return "Déclaré, en attente de prise en charge"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    def steps(self) -> list[tuple[str, str, datetime | None, datetime | None]]:
        """(deadline name, French label, due, met at): a later step meets the earlier
        deadlines too, as in the core (`ofelia.rules.tickets.DEADLINE_KINDS`)."""
        first = [t for t in (self.taken_at, self.workaround_at, self.resolved_at) if t is not None]
        workaround = [t for t in (self.workaround_at, self.resolved_at) if t is not None]
        return [
            ("take_charge_by", "Prise en charge", self.take_charge_by, min(first, default=None)),
            ("workaround_by", "Solution de contournement", self.workaround_by, min(workaround, default=None)),
            ("resolution_by", "Résolution finale", self.resolution_by, self.resolved_at),
        ]

    def pending_deadlines(self) -> list[tuple[str, str, datetime]]:
        """(name, French label, due) of the deadlines whose step has not happened yet."""
        return [(name, label, due) for name, label, due, done in self.steps()
                if due is not None and done is None]

    @property
    def next_deadline(self) -> datetime | None:
        pending = self.pending_deadlines()
        return min((due for _, _, due in pending), default=None)
