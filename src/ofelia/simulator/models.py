"""Policy versions an organisation defines itself, beside the shipped example policies."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ofelia.core.models import TenantModel


class PolicyVersion(TenantModel):
    """One version of an organisation's terms, as the TOML text that was linted and accepted.

    The text is immutable evidence (its sha256 is kept): a contract records the version it
    was signed under, and that version must read the same forever. A change is a new
    version with a later `effective_from`.
    """

    policy_id = models.SlugField(_("policy"), max_length=63)
    version = models.CharField(_("version"), max_length=40)
    effective_from = models.DateField(_("effective from"))
    organisation_name = models.CharField(_("organisation named in the terms"), max_length=255)
    document = models.CharField(_("document"), max_length=255)
    source = models.TextField(_("TOML source"))
    sha256 = models.CharField(_("SHA-256 of the source"), max_length=64)
    warnings = models.JSONField(_("linter warnings"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("created by"),
    )

    class Meta:
        ordering = ["policy_id", "effective_from", "version"]
        verbose_name = _("policy version")
        verbose_name_plural = _("policy versions")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "policy_id", "version"],
                name="policy_version_unique_per_organisation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.policy_id} {self.version}"
