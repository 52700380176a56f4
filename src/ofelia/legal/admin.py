from django.contrib import admin

from .models import LegalDataRow


@admin.register(LegalDataRow)
class LegalDataRowAdmin(admin.ModelAdmin):
    # Entered through the operator's page (validated, audited); read-only here.
    list_display = ("table", "row", "created_at", "created_by")
    list_filter = ("table",)

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
