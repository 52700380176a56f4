from django.apps import AppConfig


class HostingConfig(AppConfig):
    """Hosted virtual classes (VCL-1 … VCL-6, CAN-V1): ordering, estimate, changes."""

    name = "ofelia.hosting"
    label = "hosting"
    verbose_name = "Classes virtuelles"

    def ready(self) -> None:
        from ofelia.core.context_processors import register_menu

        from .menu import menu_entries

        register_menu(menu_entries)
