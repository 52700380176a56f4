from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "ofelia.catalogue"
    label = "catalogue"
    verbose_name = "Catalogue et sessions"

    def ready(self) -> None:
        # Merging two learners moves their enrolments (organisations.merge).
        from ofelia.organisations.signals import people_merging

        from .receivers import on_people_merging

        people_merging.connect(on_people_merging, dispatch_uid="catalogue.people_merging")
