from django.apps import AppConfig


class ElearningConfig(AppConfig):
    name = "ofelia.elearning"
    label = "elearning"
    verbose_name = "Formation en ligne"

    def ready(self) -> None:
        # attendance and core sit below elearning: they never import it, elearning fills
        # their hooks (the certification result on the attestation de fin de formation, the
        # trainer's « Messages » entry).
        from ofelia.attendance.documents import register_evaluation_results
        from ofelia.core.context_processors import register_menu

        from .certification import attestation_lines
        from .contact import menu_entries

        register_evaluation_results(attestation_lines)
        register_menu(menu_entries)
