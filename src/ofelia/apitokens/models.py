"""API tokens for integrations: a secret shown once, stored as its SHA-256 only."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from ofelia.core.models import TenantModel


class ApiToken(TenantModel):
    label = models.CharField("libellé", max_length=120)
    # The secret has 256 bits of entropy: a plain SHA-256 is enough (no guessing possible)
    # and lets the middleware find the token with one indexed look-up.
    secret_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField("début du jeton", max_length=12)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="api_tokens", verbose_name="créé par")
    last_used_at = models.DateTimeField("dernière utilisation", null=True, blank=True)
    revoked_at = models.DateTimeField("révoqué le", null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "jeton d'API"
        verbose_name_plural = "jetons d'API"

    def __str__(self) -> str:
        return f"{self.label} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
