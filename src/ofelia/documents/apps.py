from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "ofelia.documents"
    label = "documents"
    verbose_name = "Documents des apprenants et des formateurs"

    def ready(self) -> None:
        # Merging two learners: the merged one's files follow the kept one.
        from django.db.models.signals import post_delete

        from ofelia.organisations.signals import people_merging

        from .models import PersonDocument
        from .receivers import on_document_deleted, on_people_merging

        people_merging.connect(on_people_merging, dispatch_uid="documents.people_merging")
        post_delete.connect(on_document_deleted, sender=PersonDocument,
                            dispatch_uid="documents.file_deleted")
