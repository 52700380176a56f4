"""The Qualiopi file (issue 11 item 7): each evidence provider with and without evidence,
the « non applicable » choice, the auditor's ZIP (index and files) and who may see it."""

from __future__ import annotations

import html
import io
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from ofelia.attendance.models import AttendanceSheet, Document
from ofelia.attendance.tests.conftest import World, make_user, make_world
from ofelia.catalogue.models import Review
from ofelia.core import clock
from ofelia.core.models import AuditEntry
from ofelia.documents import services as documents
from ofelia.notifications.models import SentMail
from ofelia.organisations.models import Role
from ofelia.quality import evidence_sources as src
from ofelia.quality import services
from ofelia.quality.evidence import (
    COVERED,
    MISSING,
    NOT_APPLICABLE,
    PARTIAL,
    PROVIDERS,
    Finding,
    Scope,
    provides,
)
from ofelia.quality.models import ImprovementAction, QualiopiExclusion
from ofelia.quality.qualiopi import CRITERIA, INDICATORS
from ofelia.quality.qualiopi_file import indicator_state, scope_from

from .conftest import contract

TODAY = date(2026, 3, 20)
PDF = b"%PDF-1.4\n%sealed\n%%EOF\n"


@pytest.fixture
def w(db: Any, settings: Any, tmp_path: Path) -> World:
    settings.MEDIA_ROOT = tmp_path
    return make_world("qualiopi")


def scope(w: World, **kw: Any) -> Scope:
    return Scope(organisation=w.org, start=date(2026, 1, 1), end=date(2026, 12, 31),
                 session_ids=kw.pop("ids", (w.session.pk,)), today=kw.pop("today", TODAY))


def read(finding: Finding) -> dict[str, bytes]:
    return {f.path: b"".join(f.chunks()) for f in finding.files}


def test_the_referentiel_has_32_indicators_in_7_criteria() -> None:
    assert [i.number for i in INDICATORS] == list(range(1, 33))
    assert [c.number for c in CRITERIA] == list(range(1, 8))
    assert {i.number for i in INDICATORS if i.only_for} == {3, 7, 13, 14, 15, 16, 27, 28, 29}
    assert all(PROVIDERS.get(n) for n in (1, 2, 5, 6, 9, 10, 11, 12, 17, 21, 30, 31, 32))


def test_programmes_incomplete_then_complete(w: World) -> None:
    empty = src.programmes(scope(w, ids=()))
    assert (empty.status, empty.rows) == (MISSING, ())
    found = src.programmes(scope(w))
    assert found.status == MISSING and not found.rows[0].ok
    assert "prérequis, programme, publication au catalogue" in found.rows[0].detail
    assert "7 h, 900,00\u00a0€ HT" in found.rows[0].detail
    t = w.session.training
    t.prerequisites, t.programme, t.is_published = "Aucun.", "Jour 1 : rôles.", True
    t.save()
    found = src.programmes(scope(w))
    assert found.status == COVERED and found.todo == ""
    (path, html), = read(found).items()
    assert path.startswith("programmes/") and "Jour 1 : rôles." in html.decode()


def test_convocations_counted_per_confirmed_learner(w: World) -> None:
    assert src.convocations(scope(w)).status == MISSING
    c = contract(w.org, "C-9", w.session, enrolments=w.enrolments)
    SentMail.objects.create(organisation=w.org, kind="convocation", to=w.learners[0].email.upper(),
                            subject="Convocation", body=".", contract_id=c.pk, status="sent")
    found = src.convocations(scope(w))
    assert found.status == PARTIAL and [r.ok for r in found.rows].count(True) == 1
    assert "2 stagiaire(s)" in found.todo


def _closed_sheet(w: World, slot: Any) -> Document:
    sheet = AttendanceSheet.objects.create(organisation=w.org, slot=slot, status="closed",
                                           nonce="n", trainer=w.trainer)
    return Document.objects.create(organisation=w.org, kind="sheet", sheet=sheet, pdf=PDF, sha256="x")


def test_attendance_sheets_closed_and_sealed(w: World) -> None:
    found = src.attendance_sheets(scope(w))
    assert found.status == MISSING and len(found.rows) == 2 and "2 demi-journée(s)" in found.todo
    _closed_sheet(w, w.morning)
    found = src.attendance_sheets(scope(w))
    assert found.status == PARTIAL
    assert list(read(found).values()) == [PDF]
    _closed_sheet(w, w.afternoon)
    assert src.attendance_sheets(scope(w)).status == COVERED
    # Half-days after today are not expected yet.
    assert src.attendance_sheets(scope(w, today=date(2026, 3, 1))).rows == ()


def test_certificates_of_ended_sessions(w: World) -> None:
    assert src.certificates(scope(w)).status == MISSING
    Document.objects.create(organisation=w.org, kind="end_of_training", enrolment=w.enrolments[0],
                            pdf=PDF, sha256="x", hours="7")
    found = src.certificates(scope(w))
    assert found.status == PARTIAL and found.rows[0].label.startswith("Attestation de fin de formation")
    assert list(read(found).values()) == [PDF]
    assert src.certificates(scope(w, today=date(2026, 3, 1))).status == MISSING  # not ended


def test_trainer_cvs_and_session_means(w: World) -> None:
    assert src.trainer_cvs(scope(w)).status == MISSING
    assert src.session_means(scope(w)).status == COVERED
    documents.document_upload(actor=w.trainer_user, organisation=w.org, kind="cv",
                              upload=SimpleUploadedFile("cv.pdf", PDF), trainer=w.trainer)
    found = src.trainer_cvs(scope(w))
    assert found.status == COVERED and list(read(found).values()) == [PDF]
    w.session.trainers.clear()
    assert src.session_means(scope(w)).status == MISSING
    assert src.trainer_cvs(scope(w)).rows == ()


def test_reviews_give_an_average(w: World) -> None:
    assert src.reviews(scope(w)).status == MISSING
    for e, rating in zip(w.enrolments[:2], (4, 5), strict=True):
        Review.objects.create(organisation=w.org, training=w.session.training, enrolment=e,
                              rating=rating, created_at=timezone.now())
    found = src.reviews(scope(w))
    assert found.status == PARTIAL and found.rows[0].label == "Note moyenne 4,5/5 sur 2 avis"


def test_certifications_only_for_certifying_trainings(w: World) -> None:
    assert "non applicable" in src.certifications(scope(w)).todo
    w.session.training.certification_code = "RS5063"
    w.session.training.save()
    found = src.certifications(scope(w))
    assert found.status == PARTIAL and "RS5063" in found.rows[0].detail


def test_complaints_register_and_improvement_actions(w: World) -> None:
    empty = src.complaints(scope(w))
    assert empty.status == PARTIAL and "registre vide" in empty.todo
    assert src.improvement_actions(scope(w)).status == MISSING
    complaint = services.complaint_record(
        actor=w.admin, organisation=w.org, complainant="Alpha SA", complainant_email="",
        channel="email", subject="Salle trop petite", description="…",
        received_on=date(2026, 3, 2))
    late = src.complaints(scope(w))
    assert late.status == PARTIAL and "hors délai" in late.rows[0].detail
    with clock.frozen(datetime(2026, 3, 10, 9, 0)):
        services.complaint_answer(actor=w.admin, organisation=w.org, pk=complaint.pk,
                                  answer="Nouvelle salle.")
    found = src.complaints(scope(w))
    assert found.status == COVERED
    csv = read(found)["reclamations/registre-des-reclamations.csv"].decode("utf-8-sig")
    assert "Salle trop petite" in csv and "10/03/2026" in csv
    ImprovementAction.objects.create(organisation=w.org, complaint=complaint, title="Réserver une grande salle",
                                     owner="Direction", due_on=date(2026, 4, 1), status="done",
                                     done_on=date(2026, 3, 15), outcome="Salle B réservée")
    assert src.improvement_actions(scope(w)).status == COVERED


def test_bpf_years_of_the_period(w: World) -> None:
    found = src.bpf_years(scope(w))
    assert found.status == PARTIAL and [r.label for r in found.rows] == ["Bilan pédagogique et financier 2026"]


def test_a_provider_registers_for_its_indicators_in_one_place(w: World) -> None:
    def surveys(s: Scope) -> Finding:
        return Finding("Questionnaires", COVERED)
    provides(4)(surveys)
    try:
        assert indicator_state(scope(w), 4).status == COVERED  # type: ignore[union-attr]
    finally:
        PROVIDERS[4].remove(surveys)
    state = indicator_state(scope(w), 4)
    assert state is not None and state.status == MISSING and state.todo == [INDICATORS[3].hint]


def test_not_applicable_with_a_reason_is_audited_and_reversible(w: World) -> None:
    with pytest.raises(ValidationError, match="s'applique à tout organisme"):
        services.qualiopi_not_applicable(actor=w.admin, organisation=w.org, indicator=1, reason="x")
    with pytest.raises(ValidationError):
        services.qualiopi_not_applicable(actor=w.admin, organisation=w.org, indicator=14, reason="  ")
    services.qualiopi_not_applicable(actor=w.admin, organisation=w.org, indicator=14,
                                     reason="Nous ne sommes pas un CFA.")
    state = indicator_state(scope(w), 14)
    assert state is not None and state.status == NOT_APPLICABLE
    assert AuditEntry.objects.filter(action="qualiopi.not_applicable").count() == 1
    other = make_world("qualiopi-other")
    assert indicator_state(scope(other, ids=()), 14).status == MISSING  # type: ignore[union-attr]
    services.qualiopi_applicable(actor=w.admin, organisation=w.org, indicator=14)
    assert not QualiopiExclusion.objects.exists()
    assert AuditEntry.objects.filter(action="qualiopi.applicable").count() == 1


def test_scope_from_the_query_ignores_other_organisations_sessions(w: World) -> None:
    other = make_world("qualiopi-elsewhere")
    s, offered = scope_from({"du": "2026-01-01", "au": "2026-06-30", "session": [str(other.session.pk)]},
                            organisation=w.org, today=TODAY)
    assert s.session_ids == (w.session.pk,) and [o.pk for o in offered] == [w.session.pk]
    s, _ = scope_from({}, organisation=w.org, today=TODAY)
    assert (s.start, s.end) == (date(2025, 3, 21), TODAY)


def test_page_drilldown_and_not_applicable_through_the_screens(w: World, client: Client) -> None:
    client.force_login(w.admin)
    with clock.frozen(datetime(2026, 3, 20, 10, 0)):
        page = client.get("/gestion/qualite/qualiopi/?du=2026-01-01&au=2026-12-31")
        assert page.status_code == 200
        text = html.unescape(page.content.decode())
        assert "Critère 7" in text and "Mesures d'amélioration continue" in text
        detail = client.get("/gestion/qualite/qualiopi/indicateur/10/?du=2026-01-01&au=2026-12-31")
        assert f"/gestion/emargement/session/{w.session.pk}/" in detail.content.decode()
        refused = client.post("/gestion/qualite/qualiopi/indicateur/13/", {"reason": ""})
        assert "Indiquez le motif." in refused.content.decode()
        client.post("/gestion/qualite/qualiopi/indicateur/13/", {"reason": "Pas d'alternance."})
        assert "Pas d'alternance." in html.unescape(client.get("/gestion/qualite/qualiopi/").content.decode())
        assert client.get("/gestion/qualite/qualiopi/indicateur/33/").status_code == 404


def test_zip_has_the_index_and_the_evidence_files(w: World, client: Client) -> None:
    _closed_sheet(w, w.morning)
    documents.document_upload(actor=w.trainer_user, organisation=w.org, kind="cv",
                              upload=SimpleUploadedFile("cv.pdf", PDF), trainer=w.trainer)
    services.qualiopi_not_applicable(actor=w.admin, organisation=w.org, indicator=29,
                                     reason="Pas d'apprentis.")
    client.force_login(w.admin)
    with clock.frozen(datetime(2026, 3, 20, 10, 0)):
        response = client.get("/gestion/qualite/qualiopi/dossier-qualiopi.zip?du=2026-01-01&au=2026-12-31")
        assert response.status_code == 200 and response["Content-Type"] == "application/zip"
        body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    archive = zipfile.ZipFile(io.BytesIO(body))
    names = archive.namelist()
    assert names[0] == "index.html"
    expected = {f"preuves/emargement/session-{w.session.pk}/2026-03-16-morning-v1.pdf",
                "preuves/reclamations/registre-des-reclamations.csv", "preuves/bpf/bpf-2026.pdf"}
    assert expected <= set(names)
    assert any(n.startswith("preuves/formateurs/") and n.endswith(".pdf") for n in names)
    assert any(n.startswith("preuves/programmes/") for n in names)
    assert len(names) == len(set(names))  # each file once, however many indicators it serves
    index = html.unescape(archive.read("index.html").decode())
    assert all(f"Indicateur {n} —" in index for n in range(1, 33))
    assert "Pas d'apprentis." in index and 'href="preuves/bpf/bpf-2026.pdf"' in index
    assert archive.read(f"preuves/emargement/session-{w.session.pk}/2026-03-16-morning-v1.pdf") == PDF
    assert archive.read("preuves/bpf/bpf-2026.pdf").startswith(b"%PDF")


@pytest.mark.parametrize("role", [Role.TRAINER, Role.CLIENT_CONTACT, Role.LEARNER, Role.STAFF])
def test_refused_to_other_roles(w: World, client: Client, role: str) -> None:
    client.force_login(make_user(w.org, role))
    for url in ("/gestion/qualite/qualiopi/", "/gestion/qualite/qualiopi/indicateur/13/",
                "/gestion/qualite/qualiopi/dossier-qualiopi.zip"):
        assert client.get(url).status_code == 403
    assert client.post("/gestion/qualite/qualiopi/indicateur/13/", {"reason": "x"}).status_code == 403
    assert not QualiopiExclusion.objects.exists()


def test_another_organisation_sees_none_of_it(w: World, client: Client) -> None:
    _closed_sheet(w, w.morning)
    other = make_world("qualiopi-outsider")
    client.force_login(other.admin)
    with clock.frozen(datetime(2026, 3, 20, 10, 0)):
        url = f"/gestion/qualite/qualiopi/dossier-qualiopi.zip?du=2026-01-01&au=2026-12-31&session={w.session.pk}"
        body = b"".join(client.get(url).streaming_content)  # type: ignore[attr-defined]
    names = zipfile.ZipFile(io.BytesIO(body)).namelist()
    assert not any(f"session-{w.session.pk}/" in n for n in names)
    assert names[0] == "index.html"


def test_surveys_evidence_positioning_learning_and_satisfaction_of_every_stakeholder(w: World) -> None:
    from ofelia.surveys.tasks import surveys_daily

    assert src.satisfaction_surveys(scope(w)).status == MISSING
    with clock.frozen(datetime(2026, 3, 16, 9, 0, tzinfo=clock.PARIS)):
        surveys_daily()  # the session's one day: positioning, evaluation, « à chaud »
    sent = src.satisfaction_surveys(scope(w))
    # Sent to learners, the client and the trainer, nobody has answered yet: partial.
    assert sent.status == PARTIAL and "Aucune réponse encore de" in sent.todo
    assert any("résultats de la session" in r.detail and r.ok for r in sent.rows)
    assert src.positioning_surveys(scope(w)).rows and src.learning_surveys(scope(w)).rows
    assert 30 in PROVIDERS and src.satisfaction_surveys in PROVIDERS[30]
