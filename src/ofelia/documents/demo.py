"""Demo documents: the demo trainer's CV, uploaded through the real service (so the
Qualiopi file's indicator 21 has a CV to show and to put in the auditor's ZIP)."""

from __future__ import annotations

import io

from ofelia.organisations.models import Membership, Organisation, Role

from . import services
from .models import PersonDocument


def _cv_pdf(name: str, organisation: Organisation) -> bytes:
    from weasyprint import HTML

    return HTML(string=(
        f"<html lang='fr'><body><h1>{name}</h1><p>Formateur — {organisation}</p>"
        "<h2>Expérience</h2><p>Dix ans d'animation de formations professionnelles.</p>"
        "<h2>Diplômes</h2><p>Master en sciences de l'éducation.</p></body></html>")).write_pdf()


def load_documents(organisation: Organisation) -> int:
    """The number of documents created (0 when the trainer already has some)."""
    trainer_membership = (Membership.objects.filter(organisation=organisation, role=Role.TRAINER)
                          .select_related("user").order_by("id").first())
    if trainer_membership is None:
        return 0
    trainer = services.trainer_profile(organisation=organisation, membership=trainer_membership)
    if PersonDocument.objects.for_organisation(organisation).filter(trainer=trainer).exists():
        return 0
    user = trainer_membership.user
    upload = io.BytesIO(_cv_pdf(user.get_full_name() or user.get_username(), organisation))
    upload.name = "cv.pdf"
    upload.size = len(upload.getvalue())  # type: ignore[attr-defined]
    services.document_upload(actor=user, organisation=organisation, kind="cv", upload=upload,
                             trainer=trainer, title="CV")
    return 1


