from django.apps import AppConfig


class ElearningConfig(AppConfig):
    name = "ofelia.elearning"
    label = "elearning"
    verbose_name = "Formation en ligne"

    def ready(self) -> None:
        from ofelia.catalogue.signals import enrolments_merging
        from ofelia.organisations.signals import people_merging

        from .receivers import on_enrolments_merging, on_people_merging

        people_merging.connect(on_people_merging, dispatch_uid="elearning.people_merging")
        enrolments_merging.connect(on_enrolments_merging, dispatch_uid="elearning.enrolments_merging")

        # attendance and core sit below elearning: they never import it, elearning fills
        # their hooks (the certification result on the attestation de fin de formation, the
        # trainer's « Messages » entry).
        from ofelia.attendance.documents import register_evaluation_results
        from ofelia.core.context_processors import register_menu

        from .certification import attestation_lines
        from .contact import menu_entries

        register_evaluation_results(attestation_lines)
        register_menu(menu_entries)
