"""Bulk downloads: every sealed document of a session (latest versions) in one ZIP."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from ofelia.catalogue.models import TrainingSession

from .models import Document


def session_zip(*, organisation: Any, session: TrainingSession) -> bytes:
    rows = (Document.objects.for_organisation(organisation)
            .filter(enrolment__session=session) | Document.objects.for_organisation(organisation)
            .filter(sheet__slot__session=session)).select_related("enrolment__learner").order_by(
                "kind", "enrolment_id", "sheet_id", "-version")
    latest: dict[tuple[str, int | None, int | None], Document] = {}
    for doc in rows:
        latest.setdefault((doc.kind, doc.enrolment_id, doc.sheet_id), doc)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for doc in latest.values():
            archive.writestr(doc.filename, bytes(doc.pdf))
    return buffer.getvalue()
