"""Shared model foundations: timestamps, tenant scoping and the append-only audit log."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import clock


def _now() -> Any:
    return clock.now()


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), default=_now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=_now, editable=False)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.updated_at = clock.now()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "updated_at"}
        super().save(*args, **kwargs)


class TenantQuerySet(models.QuerySet):
    """Business data is always read through `for_organisation(org)`."""

    def for_organisation(self, organisation: Any) -> TenantQuerySet:
        if organisation is None:
            # No organisation means no data, never "all organisations".
            return self.none()
        return self.filter(organisation=organisation)


class TenantModel(TimeStampedModel):
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisation"),
    )

    objects = TenantQuerySet.as_manager()

    class Meta:
        abstract = True


class AuditLogImmutable(Exception):
    """The audit log is evidence: rows are never changed or removed."""


class AuditEntryQuerySet(TenantQuerySet):
    def update(self, **kwargs: Any) -> int:
        raise AuditLogImmutable("Le journal d'audit ne peut pas être modifié.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditLogImmutable("Le journal d'audit ne peut pas être supprimé.")


class AuditEntry(models.Model):
    """One state change: who, when, in which organisation, on what, before and after."""

    instant = models.DateTimeField(_("instant"), default=_now, db_index=True, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    # Kept as text so the entry still reads when the account is gone.
    actor_repr = models.CharField(_("actor (as recorded)"), max_length=255, blank=True)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    action = models.CharField(_("action"), max_length=100, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=255, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-instant", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        indexes = [models.Index(fields=["organisation", "-instant"])]

    def __str__(self) -> str:
        return f"{self.instant:%Y-%m-%d %H:%M:%S} {self.actor_repr or '-'} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None or not self._state.adding:
            raise AuditLogImmutable("Le journal d'audit ne peut pas être modifié.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditLogImmutable("Le journal d'audit ne peut pas être supprimé.")
