from django.apps import AppConfig


class AvailabilityConfig(AppConfig):
    """The platform's own availability (VCL-7, ACC-3): probes, incidents, maintenance
    announcements, the monthly report per client and its credit notes."""

    name = "ofelia.availability"
    label = "availability"
    verbose_name = "Disponibilité"

    def ready(self) -> None:
        from ofelia.core.context_processors import register_menu

        from .menu import menu_entries

        register_menu(menu_entries)
