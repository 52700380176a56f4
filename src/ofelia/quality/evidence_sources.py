"""The evidence providers of the apps Ofelia has today, each registered for the indicators
it serves (mapping in docs/quality.md, « Dossier Qualiopi »). Every query is scoped to the
organisation and to the sample of sessions or the period of the `Scope`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.text import slugify

from ofelia.attendance.models import AttendanceSheet, Document
from ofelia.billing.templatetags.billing_format import eur, qty
from ofelia.catalogue.models import (
    Enrolment,
    Review,
    SessionSlot,
    Trainer,
    Training,
    TrainingSession,
)
from ofelia.core.exports import csv_text
from ofelia.core.templatetags.ofelia_ui import date_fr
from ofelia.documents import selectors as documents
from ofelia.elearning.models import Evaluation
from ofelia.notifications.models import SentMail
from ofelia.sales.models import Contract
from ofelia.surveys import selectors as surveys
from ofelia.surveys.models import Audience as SurveyAudience
from ofelia.surveys.models import Kind as SurveyKind

from . import exports, selectors
from .evidence import (
    COVERED,
    MISSING,
    PARTIAL,
    EvidenceFile,
    Finding,
    Row,
    Scope,
    file_chunks,
    provides,
    share,
)
from .models import Complaint, ImprovementAction


def _sessions(scope: Scope) -> list[TrainingSession]:
    return list(TrainingSession.objects.for_organisation(scope.organisation)
                .filter(pk__in=scope.session_ids).select_related("training")
                .prefetch_related("trainers__membership__user").order_by("start_date", "id"))


def _enrolments(scope: Scope, **filters: Any) -> list[Enrolment]:
    return list(Enrolment.objects.for_organisation(scope.organisation)
                .filter(session_id__in=scope.session_ids, status=Enrolment.Status.CONFIRMED,
                        **filters)
                .select_related("learner", "session__training")
                .order_by("session__start_date", "session_id", "learner__last_name", "id"))


def _names(items: list[str]) -> str:
    return ", ".join(items[:5]) + (f" et {len(items) - 5} autre(s)" if len(items) > 5 else "")


def _session_label(session: TrainingSession) -> str:
    return f"{session.training.title} du {date_fr(session.start_date)}"


@provides(1, 5, 6)
def programmes(scope: Scope) -> Finding:
    """The sample's trainings as published: objectives, prerequisites, programme, duration, price."""
    trainings = list(Training.objects.for_organisation(scope.organisation)
                     .filter(sessions__pk__in=scope.session_ids).distinct().order_by("title"))
    rows, files, incomplete = [], [], []
    for t in trainings:
        missing = [label for label, value in (("objectifs", t.objectives),
                                              ("prérequis", t.prerequisites),
                                              ("programme", t.programme)) if not value.strip()]
        if not t.is_published:
            missing.append("publication au catalogue")
        if missing:
            incomplete.append(f"{t.title} ({', '.join(missing)})")
        rows.append(Row(label=f"{t.reference} — {t.title}",
                        detail=f"{qty(t.duration_hours)} h, {eur(t.price_excl_vat)} HT"
                               + (f" ; manque : {', '.join(missing)}" if missing else ""),
                        url=reverse("catalogue:training-edit", args=[t.pk]), ok=not missing))
        files.append(EvidenceFile(
            f"programmes/{slugify(t.reference) or t.pk}.html",
            lambda t=t: [render_to_string("quality/qualiopi/archive/programme.html", {
                "training": t, "organisation": scope.organisation}).encode()]))
    todo = (f"Complétez puis publiez : {_names(incomplete)}." if incomplete else
            "" if trainings else "Aucune formation dans l'échantillon : choisissez des sessions.")
    return Finding("Programmes publiés au catalogue",
                   share(len(trainings) - len(incomplete), len(trainings)),
                   tuple(rows), tuple(files), todo)


@provides(3, 7, 16)
def certifications(scope: Scope) -> Finding:
    """Certifying trainings of the sample (RNCP/RS code) and the certification results held."""
    trainings = list(Training.objects.for_organisation(scope.organisation)
                     .filter(sessions__pk__in=scope.session_ids).exclude(certification_code="")
                     .distinct().order_by("title"))
    if not trainings:
        return Finding("Formations certifiantes", MISSING, todo=(
            "Aucune formation certifiante dans l'échantillon : si vous n'en proposez pas, "
            "marquez l'indicateur non applicable avec votre motif."))
    results: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for training_id, result in (Evaluation.objects.for_organisation(scope.organisation)
                                .filter(learner_course__enrolment__session_id__in=scope.session_ids)
                                .values_list("learner_course__enrolment__session__training_id",
                                             "result")):
        results[training_id][result] += 1
    rows = []
    for t in trainings:
        r = results.get(t.pk, {})
        graded = r.get("passed", 0) + r.get("failed", 0)
        detail = (f"code {t.certification_code} ; {r.get('passed', 0)} réussite(s) sur "
                  f"{graded} évaluation(s) corrigée(s)" if graded else
                  f"code {t.certification_code} ; aucun résultat de certification enregistré")
        rows.append(Row(label=f"{t.reference} — {t.title}", detail=detail, ok=graded > 0,
                        url=reverse("catalogue:training-edit", args=[t.pk])))
    return Finding("Formations certifiantes", PARTIAL, tuple(rows), todo=(
        "Ofelia montre le code et les résultats qu'il connaît ; joignez le référentiel du "
        "certificateur, son habilitation et le taux d'obtention publié."))


@provides(9)
def convocations(scope: Scope) -> Finding:
    """One convocation e-mailed to each confirmed learner of the sample (notifications outbox)."""
    enrolments = _enrolments(scope)
    session_of = dict(Contract.objects.for_organisation(scope.organisation)
                      .filter(session_id__in=scope.session_ids).values_list("pk", "session_id"))
    sent: dict[tuple[int, str], Any] = {}
    for mail in (SentMail.objects.for_organisation(scope.organisation)
                 .filter(kind="convocation", contract_id__in=list(session_of))
                 .exclude(status=SentMail.Status.SKIPPED).order_by("created_at", "id")):
        sent.setdefault((session_of[mail.contract_id], mail.to.lower()), mail)
    rows = []
    for e in enrolments:
        mail = sent.get((e.session_id, e.learner.email.lower()))
        rows.append(Row(label=f"{e.learner} — {_session_label(e.session)}",
                        detail=(f"convocation {mail.get_status_display().lower()} à {mail.to}"
                                if mail else "aucune convocation envoyée"),
                        on=mail.created_at.date() if mail else None, ok=mail is not None,
                        url=reverse("sales:session-roster", args=[e.session_id])))
    done = sum(r.ok for r in rows)
    return Finding("Convocations envoyées", share(done, len(rows)), tuple(rows), todo=(
        f"Envoyez la convocation à {len(rows) - done} stagiaire(s) depuis la page de leur session."
        if done < len(rows) else ""))


def _sheet_file(document: Document) -> EvidenceFile:
    slot = document.sheet.slot  # type: ignore[union-attr]
    return EvidenceFile(
        f"emargement/session-{slot.session_id}/{slot.day:%Y-%m-%d}-{slot.part}-v{document.version}.pdf",
        lambda pk=document.pk: [bytes(Document.objects.values_list("pdf", flat=True).get(pk=pk))])


@provides(10, 12)
def attendance_sheets(scope: Scope) -> Finding:
    """Each half-day of the sample up to today: closed sheet, sealed PDF."""
    slots = list(SessionSlot.objects.filter(session__organisation=scope.organisation,
                                            session_id__in=scope.session_ids, day__lte=scope.today)
                 .select_related("session__training").order_by("day", "starts_at"))
    sheets = {s.slot_id: s for s in AttendanceSheet.objects.for_organisation(scope.organisation)
              .filter(slot__in=slots)}
    sealed: dict[int, Document] = {}
    for doc in (Document.objects.for_organisation(scope.organisation)
                .filter(kind=Document.Kind.SHEET, sheet__in=list(sheets.values()))
                .select_related("sheet__slot").defer("pdf").order_by("sheet_id", "-version")):
        sealed.setdefault(doc.sheet_id, doc)  # type: ignore[arg-type]
    rows, files = [], []
    for slot in slots:
        sheet = sheets.get(slot.pk)
        doc = sealed.get(sheet.pk) if sheet else None
        closed = sheet is not None and sheet.is_closed
        detail = ("aucune feuille" if sheet is None else
                  "feuille ouverte, non clôturée" if not closed else
                  f"clôturée, scellée (version {doc.version})" if doc else "clôturée, non scellée")
        rows.append(Row(label=f"{_session_label(slot.session)} — {date_fr(slot.day)} "
                              f"{slot.get_part_display()}", detail=detail, on=slot.day, ok=closed,
                        url=(reverse("attendance:staff-sheet", args=[sheet.pk]) if sheet else
                             reverse("attendance:staff-session", args=[slot.session_id]))))
        if doc is not None:
            files.append(_sheet_file(doc))
    done = sum(r.ok for r in rows)
    return Finding("Feuilles d'émargement clôturées et scellées", share(done, len(rows)),
                   tuple(rows), tuple(files), todo=(
                       f"{len(rows) - done} demi-journée(s) passée(s) sans feuille clôturée : "
                       "faites signer et clôturer l'émargement." if done < len(rows) else ""))


@provides(11)
def certificates(scope: Scope) -> Finding:
    """Attestations and certificats de réalisation of the sample's ended sessions."""
    enrolments = _enrolments(scope, session__end_date__lte=scope.today)
    latest: dict[tuple[int, str], Document] = {}
    for doc in (Document.objects.for_organisation(scope.organisation)
                .filter(enrolment__in=enrolments).exclude(kind=Document.Kind.SHEET)
                .select_related("enrolment__learner", "enrolment__session__training")
                .defer("pdf").order_by("enrolment_id", "kind", "-version")):
        latest.setdefault((doc.enrolment_id, doc.kind), doc)  # type: ignore[arg-type]
    rows, files = [], []
    for doc in latest.values():
        e = doc.enrolment
        rows.append(Row(label=f"{doc.get_kind_display().capitalize()} — {e.learner}",  # type: ignore[union-attr]
                        detail=_session_label(e.session)  # type: ignore[union-attr]
                        + (f", {qty(doc.hours)} h" if doc.hours is not None else ""),
                        on=doc.created_at.date(),
                        url=reverse("attendance:staff-document", args=[doc.pk])))
        files.append(EvidenceFile(
            f"attestations/session-{e.session_id}/{doc.filename}",  # type: ignore[union-attr]
            lambda pk=doc.pk: [bytes(Document.objects.values_list("pdf", flat=True).get(pk=pk))]))
    evaluated = {e for (e, kind) in latest if kind == Document.Kind.END_OF_TRAINING}
    for ev in (Evaluation.objects.for_organisation(scope.organisation)
               .filter(learner_course__enrolment__in=enrolments)
               .exclude(result=Evaluation.Result.PENDING)
               .select_related("learner_course__learner")):
        rows.append(Row(label=f"Évaluation certifiante — {ev.learner_course.learner}",
                        detail=ev.get_result_display(), on=ev.graded_at.date() if ev.graded_at else None))
    missing = len(enrolments) - len(evaluated)
    return Finding("Évaluations et attestations de fin de formation",
                   share(len(evaluated), len(enrolments)), tuple(rows), tuple(files), todo=(
                       f"{missing} stagiaire(s) de sessions terminées sans attestation de fin de "
                       "formation : générez-les depuis la page d'émargement de la session."
                       if missing else ""))


@provides(17)
def session_means(scope: Scope) -> Finding:
    """Each session of the sample has its trainers and its place or connection link."""
    rows = []
    for s in _sessions(scope):
        trainers = [str(t) for t in s.trainers.all()]
        where = s.place or ("à distance" if s.remote_link else "")
        rows.append(Row(label=_session_label(s), ok=bool(trainers and where),
                        detail=f"formateur(s) : {_names(trainers) or 'aucun'} ; lieu : {where or 'non précisé'}",
                        url=reverse("catalogue:session-edit", args=[s.pk])))
    done = sum(r.ok for r in rows)
    return Finding("Formateurs et lieu de chaque session", share(done, len(rows)), tuple(rows),
                   todo=(f"Affectez un formateur et un lieu à {len(rows) - done} session(s)."
                         if done < len(rows) else ""))


@provides(21)
def trainer_cvs(scope: Scope) -> Finding:
    """The CV (and diplomas) of each trainer of the sample (documents app)."""
    trainers = list(Trainer.objects.for_organisation(scope.organisation)
                    .filter(sessions__pk__in=scope.session_ids).distinct()
                    .select_related("membership__user"))
    docs = defaultdict(list)
    for doc in documents.trainer_cvs(organisation=scope.organisation,
                                     trainer_ids=[t.pk for t in trainers]):
        docs[doc.trainer_id].append(doc)
    rows, files = [], []
    for t in trainers:
        own = docs.get(t.pk, [])
        has_cv = any(d.kind == "cv" for d in own)
        rows.append(Row(label=str(t), ok=has_cv, url=reverse("documents:trainer", args=[t.pk]),
                        detail=(", ".join(f"{d.get_kind_display()} déposé le {date_fr(d.uploaded_on)}"
                                          for d in own) or "aucun CV")
                               + (f" ; titres : {t.titles}" if t.titles else "")))
        for d in own:
            files.append(EvidenceFile(
                f"formateurs/{slugify(str(t))}-{d.kind}-{d.pk}{_suffix(d.original_name)}",
                file_chunks(lambda d=d: d.file.open("rb"))))
    done = sum(r.ok for r in rows)
    return Finding("CV des formateurs", share(done, len(rows)), tuple(rows), tuple(files), todo=(
        f"CV manquant pour {len(rows) - done} formateur(s) : ils le déposent depuis leur "
        "espace (« Mes documents »)." if done < len(rows) else ""))


def _suffix(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower()[:6] if dot > 0 else ""


@provides(2, 30)
def reviews(scope: Scope) -> Finding:
    """Learners' reviews (ACC-9) of the sample's sessions and their average."""
    found = list(Review.objects.for_organisation(scope.organisation)
                 .filter(enrolment__session_id__in=scope.session_ids)
                 .select_related("training", "enrolment__learner").order_by("-created_at"))
    if not found:
        return Finding("Avis des stagiaires", MISSING, todo=(
            "Aucun avis de stagiaire sur l'échantillon : invitez-les à noter la formation."))
    average = (Decimal(sum(r.rating for r in found)) / len(found)).quantize(Decimal("0.1"))
    rows = [Row(label=f"Note moyenne {qty(average)}/5 sur {len(found)} avis",
                url=reverse("catalogue:review-list"))]
    rows += [Row(label=f"{r.rating}/5 — {r.training.title}",
                 detail=f"{r.enrolment.learner} : {r.text[:140]}" if r.text else str(r.enrolment.learner),
                 on=r.created_at.date(), url=reverse("catalogue:review-list")) for r in found]
    return Finding("Avis des stagiaires", PARTIAL, tuple(rows), todo=(
        "Les avis ne recueillent que l'appréciation des stagiaires : recueillez aussi celle "
        "des clients, des financeurs et des formateurs."))


@provides(2)
def bpf_years(scope: Scope) -> Finding:
    """The BPF (cerfa 10443) of each civil year of the period: trainees and hours."""
    rows, files = [], []
    for year in range(scope.start.year, min(scope.end.year, scope.today.year) + 1):
        report, _ = selectors.report(organisation=scope.organisation, year=year)
        total = report.trainees_total
        rows.append(Row(label=f"Bilan pédagogique et financier {year}",
                        detail=f"{total.trainees} stagiaire(s), {qty(total.hours)} h",
                        url=reverse("quality:bpf") + f"?annee={year}"))
        files.append(EvidenceFile(f"bpf/bpf-{year}.pdf", lambda year=year: [_bpf_pdf(scope, year)]))
    return Finding("Bilan pédagogique et financier", PARTIAL if rows else MISSING, tuple(rows),
                   tuple(files), todo="Le BPF donne les volumes (stagiaires, heures), pas les "
                                      "résultats : publiez aussi vos taux de satisfaction et de réussite.")


def _bpf_pdf(scope: Scope, year: int) -> bytes:
    report, data = selectors.report(organisation=scope.organisation, year=year)
    problems = selectors.checker(organisation=scope.organisation, year=year, data=data)
    return exports.bpf_pdf(report=report, problems=problems, organisation=scope.organisation)


def complaints_csv(complaints: list[Complaint]) -> Iterator[bytes]:
    yield csv_text(["N°", "Reçue le", "Auteur", "Canal", "Objet", "Réponse attendue le",
                    "Répondue le", "État", "Bilan de clôture"],
                   [[str(c.number), f"{c.received_on:%d/%m/%Y}", c.complainant,
                     c.get_channel_display(), c.subject, f"{c.answer_due_on:%d/%m/%Y}",
                     f"{c.answered_on:%d/%m/%Y}" if c.answered_on else "", c.get_status_display(),
                     c.closing_note] for c in complaints]).encode("utf-8")


@provides(31)
def complaints(scope: Scope) -> Finding:
    """The complaints register of the period, answered within the organisation's deadline."""
    found = list(Complaint.objects.for_organisation(scope.organisation)
                 .filter(received_on__gte=scope.start, received_on__lte=scope.end)
                 .order_by("received_on", "number"))
    rows = []
    for c in found:
        late = (c.answered_on or scope.today) > c.answer_due_on
        detail = (f"répondue le {date_fr(c.answered_on)}" if c.answered_on else "sans réponse") \
            + (" — hors délai" if late else "") + f" ; {c.get_status_display().lower()}"
        rows.append(Row(label=f"Réclamation n° {c.number} — {c.subject}", detail=detail,
                        on=c.received_on, ok=not late,
                        url=reverse("quality:complaint", args=[c.pk])))
    register = EvidenceFile("reclamations/registre-des-reclamations.csv",
                            lambda: complaints_csv(found))
    if not rows:
        return Finding("Registre des réclamations", PARTIAL, files=(register,), todo=(
            "Aucune réclamation reçue dans la période : montrez comment elles sont recueillies "
            "(dépôt en ligne dans l'espace client, procédure) ; le registre vide est joint."))
    late = sum(not r.ok for r in rows)
    return Finding("Registre des réclamations", PARTIAL if late else COVERED, tuple(rows),
                   (register,), todo=f"{late} réclamation(s) traitée(s) hors délai." if late else "")


@provides(32)
def improvement_actions(scope: Scope) -> Finding:
    """Improvement actions decided or due in the period, and their outcome."""
    found = list(ImprovementAction.objects.for_organisation(scope.organisation)
                 .filter(Q(due_on__gte=scope.start, due_on__lte=scope.end)
                         | Q(created_at__date__gte=scope.start, created_at__date__lte=scope.end))
                 .select_related("complaint").order_by("due_on", "id"))
    if not found:
        return Finding("Actions d'amélioration", MISSING, todo=(
            "Aucune action d'amélioration dans la période : tirez-en des réclamations et des avis."))
    open_statuses = (ImprovementAction.Status.PLANNED, ImprovementAction.Status.IN_PROGRESS)
    rows = [Row(label=a.title, on=a.due_on, url=reverse("quality:action", args=[a.pk]),
                ok=not (a.status in open_statuses and a.due_on < scope.today),
                detail=f"{a.get_status_display().lower()}, échéance {date_fr(a.due_on)}"
                       + (f" ; réclamation n° {a.complaint.number}" if a.complaint else "")
                       + (f" ; résultat : {a.outcome}" if a.outcome else "")) for a in found]
    done = any(a.status == ImprovementAction.Status.DONE for a in found)
    overdue = sum(not r.ok for r in rows)
    csv = EvidenceFile("reclamations/actions-amelioration.csv", lambda: [csv_text(
        ["Action", "Origine", "Responsable", "Échéance", "État", "Réalisée le", "Résultat"],
        [[a.title, f"Réclamation n° {a.complaint.number}" if a.complaint else "", a.owner,
          f"{a.due_on:%d/%m/%Y}", a.get_status_display(),
          f"{a.done_on:%d/%m/%Y}" if a.done_on else "", a.outcome] for a in found]).encode()])
    return Finding("Actions d'amélioration", COVERED if done and not overdue else PARTIAL,
                   tuple(rows), (csv,), todo=(
                       f"{overdue} action(s) en retard sur leur échéance." if overdue else
                       "" if done else "Aucune action encore réalisée : notez leur résultat."))


def _survey_finding(scope: Scope, source: str, kinds: tuple[str, ...],
                    audiences: tuple[str, ...], todo: str) -> Finding:
    """The questionnaires of `kinds` sent over the period: counts per audience, the sample's
    sessions they cover (each a link to its results)."""
    evidence = surveys.evidence_for(scope.organisation, scope.start, scope.end)
    rows = []
    for (kind, audience), sent in sorted(evidence.sent.items()):
        if kind not in kinds:
            continue
        answered = evidence.answered.get((kind, audience), 0)
        rows.append(Row(label=f"{SurveyKind(kind).label} — {SurveyAudience(audience).label}",
                        detail=f"{answered} réponse{'s' if answered > 1 else ''} sur {sent} envoi"
                               f"{'s' if sent > 1 else ''}", ok=answered > 0))
    if not rows:
        return Finding(source, MISSING, todo=todo)
    covered = set(surveys.sessions_with(scope.organisation, scope.session_ids, kinds))
    rows += [Row(label=_session_label(s), detail="résultats de la session",
                 url=reverse("surveys:session-results", args=[s.pk]), ok=s.pk in covered)
             for s in _sessions(scope)]
    reached = {audience for (kind, audience), n in evidence.answered.items() if kind in kinds and n}
    status = share(len(covered), len(scope.session_ids))
    if status == COVERED and not set(audiences) <= reached:
        status = PARTIAL
    missing = [SurveyAudience(a).label for a in audiences if a not in reached]
    return Finding(source, status, tuple(rows), todo=(
        f"Aucune réponse encore de : {', '.join(missing)}." if missing else
        "" if status == COVERED else "Des sessions de l'échantillon n'ont pas eu ce questionnaire."))


@provides(8)
def positioning_surveys(scope: Scope) -> Finding:
    return _survey_finding(scope, "Questionnaires de positionnement", (SurveyKind.POSITIONING,),
                           (SurveyAudience.LEARNER,),
                           "Aucun positionnement envoyé : activez le questionnaire de "
                           "positionnement (Catalogue › Questionnaires).")


@provides(11)
def learning_surveys(scope: Scope) -> Finding:
    return _survey_finding(scope, "Évaluations des acquis", (SurveyKind.LEARNING,),
                           (SurveyAudience.LEARNER,),
                           "Aucune évaluation des acquis envoyée : activez-la (Catalogue › "
                           "Questionnaires).")


@provides(2, 30)
def satisfaction_surveys(scope: Scope) -> Finding:
    """Indicator 30 asks for the appreciation of every stakeholder: learners, clients and
    trainers (funders answer through the client's contact)."""
    return _survey_finding(scope, "Questionnaires de satisfaction", (SurveyKind.HOT, SurveyKind.COLD),
                           (SurveyAudience.LEARNER, SurveyAudience.CLIENT, SurveyAudience.TRAINER),
                           "Aucun questionnaire de satisfaction envoyé sur la période.")
