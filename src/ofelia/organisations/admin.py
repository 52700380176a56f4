from django.contrib import admin
from django.db import models

from ofelia.core.admin import AuditedAdmin

from .models import ClientCompany, ConsumerClient, Learner, Membership, Organisation


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)
    fields = ("user", "role", "company", "is_active")


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    list_display = ("legal_name", "slug", "siret", "nda_number", "vat_status", "policy_id", "is_active")
    list_filter = ("vat_status", "holiday_calendar", "is_active")
    search_fields = ("legal_name", "display_name", "siret", "slug")
    prepopulated_fields = {"slug": ("legal_name",)}
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = (
        (None, {"fields": ("legal_name", "display_name", "slug", "is_active", "policy_id",
                           "activity_stopped_on")}),
        ("Identification", {"fields": ("legal_form", "share_capital", "siret", "rcs", "nda_number", "nda_region")}),
        ("TVA", {"fields": ("vat_status", "vat_number")}),
        ("Coordonnées", {"fields": ("email", "phone", "website", "address_line1", "address_line2", "postal_code", "city", "country")}),
        ("Facturation", {"fields": ("billing_line1", "billing_line2", "billing_postal_code", "billing_city", "billing_country")}),
        ("Calendrier et mentions", {"fields": ("holiday_calendar", "time_zone", "legal_mentions")}),
    )


@admin.register(Membership)
class MembershipAdmin(AuditedAdmin):
    list_display = ("user", "organisation", "role", "company", "is_active")
    list_filter = ("organisation", "role", "is_active")
    search_fields = ("user__username", "user__email", "organisation__legal_name")
    autocomplete_fields = ("user", "organisation", "company")


@admin.register(ClientCompany)
class ClientCompanyAdmin(AuditedAdmin):
    list_display = ("name", "organisation", "siret", "city")
    list_filter = ("organisation",)
    search_fields = ("name", "siret")


@admin.register(ConsumerClient)
class ConsumerClientAdmin(AuditedAdmin):
    list_display = ("last_name", "first_name", "email", "organisation", "terms_accepted_at")
    list_filter = ("organisation",)
    search_fields = ("last_name", "first_name", "email")


@admin.register(Learner)
class LearnerAdmin(AuditedAdmin):
    list_display = ("last_name", "first_name", "email", "organisation", "company")
    list_filter = ("organisation",)
    search_fields = ("last_name", "first_name", "email")
    autocomplete_fields = ("company",)
