from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "ofelia.organisations"
    label = "organisations"
    verbose_name = "Organisations"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from .models import Organisation

        post_save.connect(_organisation_saved, sender=Organisation,
                          dispatch_uid="organisations.public_pages")


def _organisation_saved(sender: type, instance: object, **kwargs: object) -> None:
    """Name, NDA, slug or activity changed: the organisation's public pages are stale."""
    from .public_pages import forget_organisation

    forget_organisation(instance.pk, instance.slug)  # type: ignore[attr-defined]
