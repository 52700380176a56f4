"""Invitations: an administrator (or staff, for extranet roles) invites an e-mail with a role;
the invitee opens a single-use, expiring link and sets a password. Only the SHA-256 of the
secret is stored; the clear link is sent once by e-mail."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

from ofelia.core.models import TenantModel
from ofelia.organisations.models import Role


class Invitation(TenantModel):
    email = models.EmailField("courriel invité")
    role = models.CharField("rôle", max_length=20, choices=Role.choices)
    company = models.ForeignKey(
        "organisations.ClientCompany", on_delete=models.CASCADE, null=True, blank=True,
        related_name="+", verbose_name="entreprise cliente",
    )
    learner = models.ForeignKey(
        "organisations.Learner", on_delete=models.CASCADE, null=True, blank=True,
        related_name="+", verbose_name="fiche apprenant",
    )
    contact = models.ForeignKey(
        "organisations.CompanyContact", on_delete=models.CASCADE, null=True, blank=True,
        related_name="+", verbose_name="contact d'entreprise",
    )
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField("expire le")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    accepted_at = models.DateTimeField("acceptée le", null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")
    revoked_at = models.DateTimeField("révoquée le", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "invitation"
        verbose_name_plural = "invitations"
        constraints = [
            # One live invitation per address and organisation: resending revokes the previous one.
            models.UniqueConstraint(
                "organisation", Lower("email"),
                condition=models.Q(revoked_at__isnull=True, accepted_at__isnull=True),
                name="one_live_invitation_per_email",
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation de {self.email} ({self.get_role_display()})"

    @property
    def status(self) -> str:
        from ofelia.core import clock

        if self.accepted_at:
            return "acceptée"
        if self.revoked_at:
            return "révoquée"
        if self.expires_at <= clock.now():
            return "expirée"
        return "en attente"
