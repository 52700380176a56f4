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
