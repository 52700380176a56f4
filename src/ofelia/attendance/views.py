"""Attendance pages: the trainer's sheets (phone or tablet), the learner's QR signature,
remote signature and documents, and the staff's sheets, amendments and documents.

Views stay thin: they check who may act (role, organisation, the trainer of the session),
call a service, and turn a refusal into a French message — never a 500.
"""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ofelia.catalogue.models import Enrolment, SessionSlot
from ofelia.core import clock
from ofelia.core.middleware import client_ip
from ofelia.core.tenancy import tenant_required
from ofelia.organisations.models import Role
from ofelia.organisations.selectors import learner_of_user

from . import selectors, services
from .exports import session_zip
from .models import Channel, Document, Mark

STAFF = (Role.ADMINISTRATOR, Role.STAFF)


def _org(request: HttpRequest) -> Any:
    return request.organisation  # type: ignore[attr-defined]


def _connection(request: HttpRequest) -> dict[str, Any]:
    return {"ip_address": client_ip(request),
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:400]}


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc


def _pdf_response(doc: Document, *, inline: bool = True) -> HttpResponse:
    response = HttpResponse(bytes(doc.pdf), content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{doc.filename}"'
    return response


def _refusal(request: HttpRequest, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))


# --- Trainer ---------------------------------------------------------------------------

def _trainer_slot(request: HttpRequest, slot_pk: Any) -> tuple[Any, SessionSlot]:
    """The trainer and one half-day of a session they run (404 otherwise)."""
    org = _org(request)
    trainer = selectors.trainer_of(organisation=org, membership=request.membership)  # type: ignore[attr-defined]
    slot = selectors.slot_for_organisation(organisation=org, pk=_int(slot_pk))
    if slot is None or not selectors.trainer_may_run(trainer=trainer, session=slot.session):
        raise Http404
    return trainer, slot


@tenant_required(Role.TRAINER)
def trainer_sheets(request: HttpRequest) -> HttpResponse:
    org = _org(request)
    trainer = selectors.trainer_of(organisation=org, membership=request.membership)  # type: ignore[attr-defined]
    sessions = selectors.sessions_of_trainer(organisation=org, trainer=trainer) if trainer else []
    today = clock.today()
    current = [s for s in sessions if s.end_date >= today - timedelta(days=7)]
    return render(request, "attendance/trainer_sheets.html",
                  {"sessions": current, "today": today})


@lru_cache(maxsize=512)
def _qr_svg(url: str) -> str:
    """Drawing a QR code takes tens of milliseconds; a sheet's address does not change."""
    import segno

    return str(segno.make(url, error="m").svg_inline(scale=4, title="QR code d'émargement"))


@tenant_required(Role.TRAINER)
def trainer_sheet(request: HttpRequest, slot_pk: int) -> HttpResponse:
    trainer, slot = _trainer_slot(request, slot_pk)
    sheet = selectors.sheet_of(slot)
    if sheet is None and request.method == "POST":
        try:
            sheet = services.sheet_open(actor=request.user, organisation=_org(request), slot=slot,
                                        trainer=trainer, ip_address=client_ip(request))
            messages.success(request, "Feuille ouverte : faites signer les stagiaires.")
        except ValidationError as exc:
            _refusal(request, exc)
        return redirect("attendance:trainer-sheet", slot_pk=slot.pk)
    qr_svg, qr_url = "", ""
    if sheet is not None and not sheet.is_closed:
        qr_url = request.build_absolute_uri(
            reverse("attendance:qr-sign", args=[services.qr_token(sheet)]))
        qr_svg = _qr_svg(qr_url)
    rows = selectors.sheet_rows(slot, sheet)
    return render(request, "attendance/trainer_sheet.html", {
        "slot": slot, "session": slot.session, "sheet": sheet, "rows": rows, "qr_svg": qr_svg,
        "qr_url": qr_url, "remaining": sum(1 for r in rows if r["mark"] is None),
        "document": selectors.latest_sheet_pdf(sheet) if sheet is not None else None,
    })


def _sheet_and_enrolment(request: HttpRequest, slot: SessionSlot, enrolment_pk: Any) -> tuple[Any, Enrolment]:
    sheet = selectors.sheet_of(slot)
    enrolment = selectors.roster(slot.session).filter(pk=_int(enrolment_pk)).first()
    if sheet is None or enrolment is None:
        raise Http404
    return sheet, enrolment


@tenant_required(Role.TRAINER)
def trainer_sign(request: HttpRequest, slot_pk: int, enrolment_pk: int) -> HttpResponse:
    """The learner signs on the trainer's device."""
    _, slot = _trainer_slot(request, slot_pk)
    sheet, enrolment = _sheet_and_enrolment(request, slot, enrolment_pk)
    if request.method == "POST":
        try:
            mark = services.mark_sign(
                actor=request.user, organisation=_org(request), sheet=sheet, enrolment=enrolment,
                signature=request.POST.get("signature", ""), channel=Channel.TRAINER_DEVICE,
                arrived_at=request.POST.get("arrived_at", ""), reason=request.POST.get("reason", ""),
                **_connection(request))
        except ValidationError as exc:
            _refusal(request, exc)
        else:
            messages.success(request, f"Signature de {enrolment.learner} enregistrée "
                                      f"({mark.get_status_display()}).")
            return redirect("attendance:trainer-sheet", slot_pk=slot.pk)
    return render(request, "attendance/sign.html", {
        "slot": slot, "session": slot.session, "who": enrolment.learner, "trainer_device": True,
        "back": f"/espace/emargement/{slot.pk}/", "button": f"Valider la signature de {enrolment.learner}"})


@tenant_required(Role.TRAINER)
@require_POST
def trainer_absent(request: HttpRequest, slot_pk: int, enrolment_pk: int) -> HttpResponse:
    _, slot = _trainer_slot(request, slot_pk)
    sheet, enrolment = _sheet_and_enrolment(request, slot, enrolment_pk)
    try:
        services.mark_absent(actor=request.user, organisation=_org(request), sheet=sheet,
                             enrolment=enrolment, reason=request.POST.get("reason", ""),
                             ip_address=client_ip(request))
        messages.success(request, f"{enrolment.learner} est noté(e) absent(e).")
    except ValidationError as exc:
        _refusal(request, exc)
    return redirect("attendance:trainer-sheet", slot_pk=slot.pk)


@tenant_required(Role.TRAINER)
def trainer_close(request: HttpRequest, slot_pk: int) -> HttpResponse:
    trainer, slot = _trainer_slot(request, slot_pk)
    sheet = selectors.sheet_of(slot)
    if sheet is None:
        raise Http404
    if request.method == "POST":
        try:
            services.sheet_close(actor=request.user, organisation=_org(request), sheet=sheet,
                                 signature=request.POST.get("signature", ""), trainer=trainer,
                                 **_connection(request))
        except ValidationError as exc:
            _refusal(request, exc)
            if sheet.is_closed or any(r["mark"] is None for r in selectors.sheet_rows(slot, sheet)):
                return redirect("attendance:trainer-sheet", slot_pk=slot.pk)
        else:
            messages.success(request, "Feuille signée et clôturée ; son PDF est scellé.")
            return redirect("attendance:trainer-sheet", slot_pk=slot.pk)
    return render(request, "attendance/sign.html", {
        "slot": slot, "session": slot.session, "who": request.user.get_full_name(),
        "closing": True, "back": f"/espace/emargement/{slot.pk}/",
        "button": "Signer et clôturer la feuille"})


@tenant_required(Role.TRAINER)
def trainer_sheet_pdf(request: HttpRequest, slot_pk: int) -> HttpResponse:
    _, slot = _trainer_slot(request, slot_pk)
    sheet = selectors.sheet_of(slot)
    doc = selectors.latest_sheet_pdf(sheet, with_pdf=True) if sheet is not None else None
    if doc is None:
        raise Http404
    return _pdf_response(doc)


# --- Learner ---------------------------------------------------------------------------

# A consumer client follows their own training: they sign and get their documents too.
LEARNERS = (Role.LEARNER, Role.CONSUMER)


def _learner(request: HttpRequest) -> Any:
    learner = learner_of_user(organisation=_org(request), user=request.user)
    if learner is None:
        raise Http404
    return learner


@tenant_required(*LEARNERS)
def qr_sign(request: HttpRequest, token: str) -> HttpResponse:
    """The address the QR code names: the learner signs on their own phone."""
    learner = _learner(request)
    try:
        sheet = services.sheet_from_qr(organisation=_org(request), token=token)
    except ValidationError as exc:
        return render(request, "attendance/refused.html", {"reasons": exc.messages}, status=400)
    if request.method == "POST":
        try:
            services.qr_sign(actor=request.user, organisation=_org(request), token=token,
                             learner=learner, signature=request.POST.get("signature", ""),
                             **_connection(request))
        except ValidationError as exc:
            return render(request, "attendance/refused.html", {"reasons": exc.messages},
                          status=400)
        return render(request, "attendance/signed.html", {"slot": sheet.slot, "who": learner})
    return render(request, "attendance/sign.html", {
        "slot": sheet.slot, "session": sheet.slot.session, "who": learner, "back": "/espace/",
        "button": "Valider ma signature"})


@tenant_required(*LEARNERS)
def my_attendance(request: HttpRequest) -> HttpResponse:
    # A consumer who has not followed a training yet has no learner record: nothing to show.
    org = _org(request)
    learner = learner_of_user(organisation=org, user=request.user)
    return render(request, "attendance/my_attendance.html", {
        "documents": selectors.documents_of_learner(organisation=org, learner=learner) if learner else [],
        "remote": selectors.remote_slots_to_sign(organisation=org, learner=learner, now=clock.now())
        if learner else [],
    })


@tenant_required(*LEARNERS)
def remote_sign(request: HttpRequest, slot_pk: int) -> HttpResponse:
    learner = _learner(request)
    slot = selectors.slot_for_organisation(organisation=_org(request), pk=_int(slot_pk))
    if slot is None:
        raise Http404
    if request.method == "POST":
        try:
            services.remote_sign(actor=request.user, organisation=_org(request), slot=slot,
                                 learner=learner, signature=request.POST.get("signature", ""),
                                 **_connection(request))
        except ValidationError as exc:
            return render(request, "attendance/refused.html", {"reasons": exc.messages},
                          status=400)
        return render(request, "attendance/signed.html", {"slot": slot, "who": learner})
    return render(request, "attendance/sign.html", {
        "slot": slot, "session": slot.session, "who": learner, "back": "/espace/mes-attestations/",
        "remote": True, "button": "Valider ma signature"})


@tenant_required(*LEARNERS)
def my_document(request: HttpRequest, pk: int) -> HttpResponse:
    learner = _learner(request)
    doc = selectors.document_get(organisation=_org(request), pk=_int(pk))
    if doc is None or doc.enrolment is None or doc.enrolment.learner_id != learner.pk:
        raise Http404
    return _pdf_response(doc)


# --- Staff -----------------------------------------------------------------------------

@tenant_required(*STAFF)
def staff_sessions(request: HttpRequest) -> HttpResponse:
    sessions = selectors.session_list(organisation=_org(request))[:200]
    return render(request, "attendance/staff_sessions.html", {"sessions": sessions})


@tenant_required(*STAFF)
def staff_session(request: HttpRequest, pk: int) -> HttpResponse:
    org = _org(request)
    session = selectors.session_get(organisation=org, pk=_int(pk))
    if session is None:
        raise Http404
    if request.method == "POST":
        try:
            docs = services.documents_generate(actor=request.user, organisation=org, session=session)
            messages.success(request, f"{len(docs)} documents scellés édités et envoyés aux "
                                      "stagiaires.")
        except ValidationError as exc:
            _refusal(request, exc)
        return redirect("attendance:staff-session", pk=session.pk)
    slots = list(session.slots.select_related("attendance_sheet"))
    hours = selectors.hours_attended_by_enrolment(session)
    roster = [{"enrolment": e, "hours": hours.get(e.pk)} for e in selectors.roster(session)]
    return render(request, "attendance/staff_session.html", {
        "session": session, "slots": slots, "roster": roster,
        "planned": selectors.planned_hours(session),
        "documents": selectors.documents_of_session(organisation=org, session=session)})


@tenant_required(*STAFF)
def staff_session_zip(request: HttpRequest, pk: int) -> HttpResponse:
    org = _org(request)
    session = selectors.session_get(organisation=org, pk=_int(pk))
    if session is None:
        raise Http404
    response = HttpResponse(session_zip(organisation=org, session=session),
                            content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="attestations-session-{session.pk}.zip"'
    return response


@tenant_required(*STAFF)
def staff_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    org = _org(request)
    sheet = selectors.sheet_get(organisation=org, pk=_int(pk))
    if sheet is None:
        raise Http404
    if request.method == "POST":
        mark = sheet.marks.filter(pk=_int(request.POST.get("mark"))).first()
        if mark is None:
            raise Http404
        try:
            services.mark_amend(actor=request.user, organisation=org, mark=mark,
                                why=request.POST.get("why", ""),
                                status=request.POST.get("status", ""),
                                arrived_at=request.POST.get("arrived_at", ""),
                                left_at=request.POST.get("left_at", ""),
                                reason=request.POST.get("reason", ""), ip_address=client_ip(request))
            messages.success(request, "Correction enregistrée ; la feuille est scellée à nouveau.")
        except ValidationError as exc:
            _refusal(request, exc)
        return redirect("attendance:staff-sheet", pk=sheet.pk)
    marks = list(sheet.marks.select_related("enrolment__learner"))
    return render(request, "attendance/staff_sheet.html", {
        "sheet": sheet, "slot": sheet.slot, "session": sheet.slot.session,
        "rows": [{"mark": m, "hours": selectors.mark_hours(m, sheet.slot)} for m in marks],
        "statuses": Mark.Status.choices,
        "amendments": sheet.amendments.select_related("author", "mark__enrolment__learner"),
        "documents": sheet.documents.defer("pdf").order_by("-version")})


@tenant_required(*STAFF)
def staff_document(request: HttpRequest, pk: int) -> HttpResponse:
    doc = selectors.document_get(organisation=_org(request), pk=_int(pk))
    if doc is None:
        raise Http404
    return _pdf_response(doc)
