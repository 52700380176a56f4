"""Writes of the documents: upload (size and type checked, French errors), deletion by
staff, and the daily deletion of the files whose retention ended. Each audited."""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction

from ofelia.catalogue.models import Trainer
from ofelia.core import audit, clock
from ofelia.organisations.models import Learner, Organisation
from ofelia.rules.french import fr_date

from .models import PersonDocument
from .retention import retention

MAX_BYTES = 10 * 1024 * 1024
# Extension → (content type, the first bytes every such file starts with).
ACCEPTED = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
}
_AUDIT = ["kind", "title", "original_name", "size", "learner", "trainer", "uploaded_on",
          "keep_until"]


def _checked(upload: Any) -> tuple[str, int]:
    if upload is None:
        raise ValidationError({"file": "Choisissez un fichier."})
    size = int(getattr(upload, "size", 0) or 0)
    if size == 0:
        raise ValidationError({"file": "Le fichier est vide."})
    if size > MAX_BYTES:
        mib = f"{size / (1024 * 1024):.1f}".replace(".", ",")
        raise ValidationError({"file": f"Le fichier pèse {mib} Mo : {MAX_BYTES // (1024 * 1024)} Mo "
                                       "au plus."})
    suffix = Path(getattr(upload, "name", "") or "").suffix.lower()
    if suffix not in ACCEPTED:
        raise ValidationError({"file": "Format refusé : déposez un PDF, un JPEG ou un PNG."})
    content_type, magics = ACCEPTED[suffix]
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(m) for m in magics):
        raise ValidationError({"file": "Le contenu du fichier ne correspond pas à son extension "
                                       f"({suffix[1:].upper()})."})
    return content_type, size


def document_upload(*, actor: Any, organisation: Organisation, kind: str, upload: IO[bytes],
                    learner: Learner | None = None, trainer: Trainer | None = None,
                    title: str = "") -> PersonDocument:
    if (learner is None) == (trainer is None):
        raise ValidationError("Un document appartient à un apprenant ou à un formateur.")
    owner = learner or trainer
    if owner.organisation_id != organisation.pk:  # type: ignore[union-attr]
        raise ValidationError("Cette personne appartient à un autre organisme.")
    if kind not in PersonDocument.Kind.values:
        raise ValidationError({"kind": "Choisissez le type de document."})
    title = (title or "").strip()
    if len(title) > 200:
        raise ValidationError({"title": "L'intitulé : 200 caractères au plus."})
    content_type, size = _checked(upload)
    today = clock.today()
    kept = retention(kind, today)
    name = Path(getattr(upload, "name", "") or "document").name[:255]
    with transaction.atomic():
        document = PersonDocument(
            organisation=organisation, learner=learner, trainer=trainer, kind=kind, title=title,
            original_name=name, content_type=content_type, size=size,
            uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
            uploaded_on=today, keep_until=kept.keep_until, retention_clause=kept.clause[:255])
        document.file.save(name, File(upload, name=name), save=False)
        try:
            document.save()
            audit.record(actor=actor, action="document.upload", organisation=organisation,
                         obj=document, after=audit.snapshot(document, _AUDIT))
        except Exception:
            document.file.delete(save=False)
            raise
    return document


def _delete(document: PersonDocument, *, actor: Any, action: str, reason: str) -> None:
    before = {**audit.snapshot(document, _AUDIT), "reason": reason}
    audit.record(actor=actor, action=action, organisation=document.organisation, obj=document,
                 before=before)
    document.delete()  # the file follows on commit (receivers.on_document_deleted)


def document_delete(*, actor: Any, organisation: Organisation, pk: int) -> None:
    with transaction.atomic():
        document = (PersonDocument.objects.for_organisation(organisation).select_for_update()
                    .filter(pk=pk).first())
        if document is None:
            raise ValidationError("Ce document n'existe pas ou a déjà été supprimé.")
        _delete(document, actor=actor, action="document.delete", reason="supprimé à la demande")


def purge_expired() -> int:
    """Daily: delete every document whose `keep_until` is past (retention ended)."""
    today = clock.today()
    count = 0
    for pk in PersonDocument.objects.filter(keep_until__lt=today).values_list("pk", flat=True):
        with transaction.atomic():
            document = (PersonDocument.objects.select_for_update().select_related("organisation")
                        .filter(pk=pk, keep_until__lt=today).first())
            if document is None:
                continue
            _delete(document, actor=None, action="document.expire",
                    reason=f"durée de conservation échue le {fr_date(document.keep_until)} "
                           f"({document.retention_clause})")
            count += 1
    return count


def move_learner_documents(*, kept: Learner, merged: Learner) -> int:
    return PersonDocument.objects.filter(learner=merged).update(learner=kept)


def trainer_profile(*, organisation: Organisation, membership: Any) -> Trainer:
    """The trainer's profile, created on their first visit (as `catalogue.services` does
    when staff set their titles)."""
    trainer, _ = Trainer.objects.get_or_create(organisation=organisation, membership=membership)
    return trainer
