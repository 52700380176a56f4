"""Documents per learner and per trainer (issue 11 item 8): checked upload, private file
served only to staff and to the trainer it belongs to, retention per kind (ACC-6) and the
daily deletion, files following a merged learner."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from ofelia.attendance.tests.conftest import World, make_user, make_world
from ofelia.catalogue.models import Trainer
from ofelia.core import clock
from ofelia.core.models import AuditEntry
from ofelia.documents import services
from ofelia.documents.models import PersonDocument
from ofelia.documents.retention import retention
from ofelia.documents.tasks import purge_expired
from ofelia.organisations.merge import person_merge
from ofelia.organisations.models import Learner, Role

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
UPLOAD_DAY = datetime(2026, 3, 16, 10, 0)


def pdf(name: str = "cv.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def w(db: Any, settings: Any, tmp_path: Path) -> World:
    settings.MEDIA_ROOT = tmp_path
    return make_world("docs")


def test_retention_per_kind_names_acc_6() -> None:
    on = date(2026, 3, 16)
    assert retention("cv", on).keep_until == date(2029, 3, 16)
    assert retention("diploma", on).keep_until == date(2029, 3, 16)
    assert retention("identity", on).keep_until == date(2026, 9, 16)
    assert retention("other", on).keep_until == date(2029, 3, 16)
    assert retention("identity", on).rule_id == "ACC-6" and "certification" in retention("identity", on).clause


def test_upload_stores_privately_with_its_retention_and_audit(w: World) -> None:
    with clock.frozen(UPLOAD_DAY):
        doc = services.document_upload(actor=w.admin, organisation=w.org, kind="identity",
                                       upload=pdf("carte.pdf"), learner=w.learners[0])
    assert (doc.keep_until, doc.size, doc.content_type, doc.original_name) == (
        date(2026, 9, 16), len(PDF), "application/pdf", "carte.pdf")
    assert "ACC-6" in doc.retention_clause
    assert Path(doc.file.path).read_bytes() == PDF
    assert "/private/" in doc.file.path
    with pytest.raises(ValueError):
        doc.file.url  # noqa: B018 — no public URL at all
    assert AuditEntry.objects.filter(action="document.upload", object_id=str(doc.pk)).exists()


@pytest.mark.parametrize(("upload", "message"), [
    (None, "Choisissez un fichier."),
    (SimpleUploadedFile("vide.pdf", b""), "Le fichier est vide."),
    (SimpleUploadedFile("script.exe", b"MZ\x90\x00"), "Format refusé : déposez un PDF, un JPEG ou un PNG."),
    (SimpleUploadedFile("faux.pdf", b"<html>hello</html>"),
     "Le contenu du fichier ne correspond pas à son extension (PDF)."),
    (SimpleUploadedFile("gros.pdf", b"%PDF-" + b"0" * services.MAX_BYTES),
     "Le fichier pèse 10,0 Mo : 10 Mo au plus."),
])
def test_bad_files_are_refused_in_french_and_nothing_is_stored(w: World, upload: Any, message: str,
                                                              tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as refused:
        services.document_upload(actor=w.admin, organisation=w.org, kind="cv", upload=upload,
                                 trainer=w.trainer)
    assert refused.value.message_dict["file"] == [message]
    assert not PersonDocument.objects.exists()
    assert not list(tmp_path.rglob("*.*"))


def test_a_document_of_another_organisation_is_refused(w: World) -> None:
    other = make_world("docs-other")
    with pytest.raises(ValidationError, match="autre organisme"):
        services.document_upload(actor=w.admin, organisation=w.org, kind="cv", upload=pdf(),
                                 learner=other.learners[0])


def test_trainer_uploads_their_cv_from_the_extranet_and_staff_see_it(w: World, client: Client) -> None:
    client.force_login(w.trainer_user)
    page = client.get("/espace/documents/")
    assert page.status_code == 200 and "Mes documents" in page.content.decode()
    response = client.post("/espace/documents/", {"kind": "cv", "title": "CV 2026", "file": pdf()})
    assert response.status_code == 302
    doc = PersonDocument.objects.get()
    assert doc.trainer_id == w.trainer.pk and doc.uploaded_by_id == w.trainer_user.pk
    own = client.get(f"/documents/{doc.pk}/fichier/")
    assert own.status_code == 200 and b"".join(own.streaming_content) == PDF  # type: ignore[attr-defined]
    assert own["Cache-Control"] == "private, no-store"

    client.force_login(w.admin)
    listed = client.get(f"/gestion/formateurs/{w.trainer.pk}/documents/").content.decode()
    assert "CV 2026" in listed and "cv.pdf" in listed
    assert client.get(f"/documents/{doc.pk}/fichier/").status_code == 200


def test_bad_upload_shows_the_french_error_on_the_form(w: World, client: Client) -> None:
    client.force_login(w.trainer_user)
    page = client.post("/espace/documents/", {"kind": "cv", "file": SimpleUploadedFile("cv.docx", b"PK\x03\x04")})
    assert page.status_code == 200
    assert "Format refusé : déposez un PDF, un JPEG ou un PNG." in page.content.decode()
    assert not PersonDocument.objects.exists()


def test_the_file_is_refused_to_others(w: World, client: Client) -> None:
    doc = services.document_upload(actor=w.admin, organisation=w.org, kind="identity",
                                   upload=pdf(), learner=w.learners[0])
    url = f"/documents/{doc.pk}/fichier/"
    other_trainer = make_user(w.org, Role.TRAINER)
    Trainer.objects.create(organisation=w.org, membership=other_trainer.memberships.get())
    client.force_login(other_trainer)
    assert client.get(url).status_code == 404
    client.force_login(w.trainer_user)  # the session's trainer: not a file of theirs
    assert client.get(url).status_code == 404
    client.force_login(w.learner_user)
    assert client.get(url).status_code == 403
    assert client.get(f"/apprenants/{w.learners[0].pk}/documents/").status_code == 403
    other = make_world("docs-elsewhere")
    client.force_login(other.admin)
    assert client.get(url).status_code == 404
    assert client.get(f"/apprenants/{w.learners[0].pk}/documents/").status_code == 404


def test_staff_upload_list_and_delete_on_the_learner_page(w: World, client: Client,
                                                         django_capture_on_commit_callbacks: Any) -> None:
    client.force_login(w.admin)
    learner = w.learners[1]
    assert f"/apprenants/{learner.pk}/documents/" in client.get(f"/apprenants/{learner.pk}/").content.decode()
    client.post(f"/apprenants/{learner.pk}/documents/", {"kind": "diploma", "file": pdf("diplome.pdf")})
    doc = PersonDocument.objects.get(learner=learner)
    assert "diplome.pdf" in client.get(f"/apprenants/{learner.pk}/documents/").content.decode()
    path = Path(doc.file.path)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/apprenants/{learner.pk}/documents/", {"step": "delete", "document": str(doc.pk)})
    assert not PersonDocument.objects.exists() and not path.exists()
    assert AuditEntry.objects.filter(action="document.delete", object_id=str(doc.pk)).exists()


def test_daily_job_deletes_only_expired_documents_and_audits(w: World, django_capture_on_commit_callbacks: Any) -> None:
    with clock.frozen(UPLOAD_DAY):
        identity = services.document_upload(actor=w.admin, organisation=w.org, kind="identity",
                                            upload=pdf("id.pdf"), learner=w.learners[0])
        cv = services.document_upload(actor=w.admin, organisation=w.org, kind="cv", upload=pdf(),
                                      trainer=w.trainer)
    identity_path = Path(identity.file.path)
    with clock.frozen(datetime(2026, 9, 16, 4, 0)), django_capture_on_commit_callbacks(execute=True):
        assert purge_expired() == 0  # its last day
    with clock.frozen(datetime(2026, 9, 17, 4, 0)), django_capture_on_commit_callbacks(execute=True):
        assert purge_expired() == 1
        assert purge_expired() == 0  # idempotent
    assert list(PersonDocument.objects.values_list("pk", flat=True)) == [cv.pk]
    assert not identity_path.exists() and Path(cv.file.path).exists()
    entry = AuditEntry.objects.get(action="document.expire", object_id=str(identity.pk))
    assert entry.actor is None and "16 septembre 2026" in entry.before["reason"]


def test_merged_learner_documents_follow_the_kept_one(w: World) -> None:
    kept, merged = w.learners[0], w.learners[1]
    doc = services.document_upload(actor=w.admin, organisation=w.org, kind="diploma",
                                   upload=pdf(), learner=merged)
    person_merge(actor=w.admin, kept=kept, merged=merged)
    doc.refresh_from_db()
    assert doc.learner_id == kept.pk
    entry = AuditEntry.objects.filter(action__contains="merge").latest("id")
    assert entry.after["moved"]["documents_moved"] == 1
    assert not Learner.objects.filter(pk=merged.pk).exists()


def test_a_cascade_deletion_removes_the_file_too(w: World, django_capture_on_commit_callbacks: Any) -> None:
    doc = services.document_upload(actor=w.admin, organisation=w.org, kind="other",
                                   upload=pdf(), learner=w.learners[2])
    path = Path(doc.file.path)
    with django_capture_on_commit_callbacks(execute=True):
        PersonDocument.objects.filter(pk=doc.pk).delete()
    assert not path.exists()


def test_the_trainer_finds_their_documents_in_their_personal_data(w: World, client: Client) -> None:
    services.document_upload(actor=w.trainer_user, organisation=w.org, kind="cv",
                             upload=pdf(), trainer=w.trainer, title="CV 2026")
    client.force_login(w.trainer_user)
    page = client.get("/espace/mes-donnees/")
    assert page.status_code == 200 and "CV — CV 2026 (cv.pdf)" in page.content.decode()
