from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "ofelia.catalogue"
    label = "catalogue"
    verbose_name = "Catalogue et sessions"

    def ready(self) -> None:
        # Merging two learners moves their enrolments (organisations.merge).
        from ofelia.organisations.signals import people_merging

        from .receivers import connect_public_pages, on_people_merging

        people_merging.connect(on_people_merging, dispatch_uid="catalogue.people_merging")
        # The public catalogue is cached per organisation: its changes make it stale.
        connect_public_pages()
