from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from . import audit
from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the audit log is evidence."""

    list_display = ("instant", "organisation", "actor_repr", "action", "object_type", "object_repr", "ip_address")
    list_filter = ("organisation", "action", "object_type")
    search_fields = ("actor_repr", "action", "object_repr", "object_id")
    date_hierarchy = "instant"
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AuditedAdmin(admin.ModelAdmin):
    """Configuration changes made in the admin are recorded like any other write."""

    def _organisation_of(self, obj: Any) -> Any:
        from ofelia.organisations.models import Organisation

        return obj if isinstance(obj, Organisation) else getattr(obj, "organisation", None)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before = audit.snapshot(type(obj).objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        after = audit.snapshot(obj)
        if before is not None:
            before, after = audit.changed(before, after)
        audit.record(
            actor=request.user,
            action=f"{obj._meta.model_name}.{'update' if change else 'create'}",
            organisation=self._organisation_of(obj),
            obj=obj,
            before=before,
            after=after,
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        audit.record(
            actor=request.user,
            action=f"{obj._meta.model_name}.delete",
            organisation=self._organisation_of(obj),
            obj=obj,
            before=audit.snapshot(obj),
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self.delete_model(request, obj)
