"""Writes of attendance: open a sheet, sign, mark absent, close, amend, issue documents.

Every write runs in a transaction and leaves an audit row. A refused write (outside its
half-day, replayed QR code, closed sheet) changes nothing, and the refusal itself is
written to the audit log after the rollback: an attempt on evidence is evidence too.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
from collections.abc import Callable
from datetime import time
from decimal import Decimal
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction

from ofelia.catalogue.models import Enrolment, SessionSlot, TrainingSession
from ofelia.core import audit, clock

from . import selectors
from .models import Amendment, AttendanceSheet, Channel, Document, Mark

QR_SALT = "ofelia.attendance.qr"
PNG_PREFIX = "data:image/png;base64,"
MAX_SIGNATURE_BYTES = 300_000
P = ParamSpec("P")
R = TypeVar("R")


class AttendanceRefused(ValidationError):
    """A write the rules refuse; `action` names it in the audit log."""

    def __init__(self, message: str, *, action: str = "", obj: Any = None) -> None:
        super().__init__(message)
        self.action, self.obj = action, obj


def refusals_audited(func: Callable[P, R]) -> Callable[P, R]:
    """Runs the service in a transaction; a refusal rolls it back, then is audited."""

    @wraps(func)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            with transaction.atomic():
                return func(*args, **kwargs)
        except AttendanceRefused as exc:
            with transaction.atomic():
                audit.record(actor=kwargs.get("actor"), organisation=kwargs.get("organisation"),
                             action=f"attendance.refused.{exc.action or func.__name__}",
                             obj=exc.obj, after={"motif": exc.messages[0]},
                             ip_address=kwargs.get("ip_address"))  # type: ignore[arg-type]
            raise

    return wrapped


def _clean_signature(data: str) -> str:
    """A drawn signature as a PNG data URL (what signature_pad gives), checked."""
    data = (data or "").strip()
    if not data.startswith(PNG_PREFIX):
        raise ValidationError("Signature manquante : signez dans le cadre avant de valider.")
    try:
        raw = base64.b64decode(data[len(PNG_PREFIX):], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValidationError("Signature illisible : recommencez.") from exc
    if not raw.startswith(b"\x89PNG\r\n\x1a\n") or len(raw) > MAX_SIGNATURE_BYTES:
        raise ValidationError("Signature illisible : recommencez.")
    return data


def _check_window(sheet_or_slot: SessionSlot, *, trainer: bool = False, obj: Any = None,
                  action: str) -> None:
    opens, closes = (selectors.trainer_window if trainer else selectors.slot_window)(sheet_or_slot)
    now = clock.now()
    if now < opens:
        raise AttendanceRefused(
            f"Trop tôt : l'émargement de la demi-journée du {sheet_or_slot} ouvre à "
            f"{opens:%H:%M}.", action=action, obj=obj)
    if now > closes:
        raise AttendanceRefused(
            f"Trop tard : l'émargement de la demi-journée du {sheet_or_slot} est fermé depuis "
            f"{closes:%H:%M} ; une correction passe par le secrétariat.", action=action, obj=obj)


def _check_open(sheet: AttendanceSheet, action: str) -> None:
    if sheet.is_closed:
        raise AttendanceRefused(
            "Cette feuille est clôturée : elle ne peut plus être modifiée. Une correction passe "
            "par une rectification motivée du secrétariat.", action=action, obj=sheet)


def _lock(sheet: AttendanceSheet) -> AttendanceSheet:
    return AttendanceSheet.objects.select_for_update().get(pk=sheet.pk)


@refusals_audited
def sheet_open(*, actor: Any, organisation: Any, slot: SessionSlot, trainer: Any = None,
               ip_address: str | None = None) -> AttendanceSheet:
    """The half-day's sheet, created when the trainer first opens it."""
    if slot.session.organisation_id != organisation.pk:
        raise ValidationError("Cette demi-journée appartient à un autre organisme.")
    sheet = selectors.sheet_of(slot)
    if sheet is not None:
        return sheet
    _check_window(slot, trainer=True, obj=slot, action="sheet_open")
    sheet = AttendanceSheet.objects.create(
        organisation=organisation, slot=slot, nonce=secrets.token_hex(16), opened_by=actor,
        trainer=trainer)
    audit.record(actor=actor, organisation=organisation, action="attendance.sheet_open",
                 obj=sheet, after=audit.snapshot(sheet, ["slot", "trainer", "status"]),
                 ip_address=ip_address)
    return sheet


def _enrolment_on(sheet: AttendanceSheet, enrolment: Enrolment) -> None:
    if (enrolment.session_id != sheet.slot.session_id or enrolment.organisation_id != sheet.organisation_id
            or enrolment.status != Enrolment.Status.CONFIRMED):
        raise ValidationError("Cette personne n'est pas inscrite (confirmée) à cette session.")


def _parse_time(value: Any, label: str) -> time | None:
    if value in (None, ""):
        return None
    if isinstance(value, time):
        return value
    try:
        return time.fromisoformat(str(value))
    except ValueError as exc:
        raise ValidationError(f"{label} : heure invalide (format HH:MM).") from exc


@refusals_audited
def mark_sign(*, actor: Any, organisation: Any, sheet: AttendanceSheet, enrolment: Enrolment,
              signature: str, channel: str, ip_address: str | None, user_agent: str,
              arrived_at: Any = None, reason: str = "") -> Mark:
    """The learner signs the half-day (present, or late from `arrived_at` with a reason)."""
    sheet = _lock(sheet)
    _enrolment_on(sheet, enrolment)
    _check_open(sheet, "mark_sign")
    _check_window(sheet.slot, obj=sheet, action="mark_sign")
    if sheet.marks.filter(enrolment=enrolment).exists():
        raise AttendanceRefused(
            f"{enrolment.learner} a déjà émargé cette demi-journée : une seconde signature est "
            "refusée.", action="mark_replayed", obj=sheet)
    signature = _clean_signature(signature)
    arrival = _parse_time(arrived_at, "Heure d'arrivée")
    slot = sheet.slot
    late = arrival is not None and arrival > slot.starts_at
    if arrival is not None and not (slot.starts_at <= arrival < slot.ends_at) and late:
        raise ValidationError("Heure d'arrivée : elle doit être dans la demi-journée.")
    if late and not reason.strip():
        raise ValidationError("Motif du retard : obligatoire pour une arrivée tardive.")
    mark = Mark.objects.create(
        organisation=organisation, sheet=sheet, enrolment=enrolment,
        status=Mark.Status.LATE if late else Mark.Status.PRESENT,
        arrived_at=arrival if late else None, reason=reason.strip()[:300] if late else "",
        signature=signature, signed_at=clock.now(), channel=channel,
        signed_by=actor if getattr(actor, "is_authenticated", False) else None,
        ip_address=ip_address, user_agent=(user_agent or "")[:400],
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None)
    audit.record(actor=actor, organisation=organisation, action="attendance.mark_sign", obj=mark,
                 after=audit.snapshot(mark, ["sheet", "enrolment", "status", "arrived_at", "reason",
                                             "channel", "ip_address", "user_agent", "signed_at"]),
                 ip_address=ip_address)
    return mark


@refusals_audited
def mark_absent(*, actor: Any, organisation: Any, sheet: AttendanceSheet, enrolment: Enrolment,
                reason: str, ip_address: str | None = None) -> Mark:
    sheet = _lock(sheet)
    _enrolment_on(sheet, enrolment)
    _check_open(sheet, "mark_absent")
    _check_window(sheet.slot, trainer=True, obj=sheet, action="mark_absent")
    if not (reason or "").strip():
        raise ValidationError("Motif de l'absence : obligatoire (même « inconnu »).")
    if sheet.marks.filter(enrolment=enrolment).exists():
        raise ValidationError(f"{enrolment.learner} a déjà une présence sur cette feuille.")
    mark = Mark.objects.create(organisation=organisation, sheet=sheet, enrolment=enrolment,
                               status=Mark.Status.ABSENT, reason=reason.strip()[:300],
                               recorded_by=actor, ip_address=ip_address)
    audit.record(actor=actor, organisation=organisation, action="attendance.mark_absent", obj=mark,
                 after=audit.snapshot(mark, ["sheet", "enrolment", "status", "reason"]),
                 ip_address=ip_address)
    return mark


@refusals_audited
def sheet_close(*, actor: Any, organisation: Any, sheet: AttendanceSheet, signature: str,
                ip_address: str | None, user_agent: str, trainer: Any = None) -> AttendanceSheet:
    """The trainer signs last: every confirmed learner must have signed or be marked absent."""
    sheet = _lock(sheet)
    _check_open(sheet, "sheet_close")
    _check_window(sheet.slot, trainer=True, obj=sheet, action="sheet_close")
    missing = [row["learner"] for row in selectors.sheet_rows(sheet.slot, sheet) if row["mark"] is None]
    if missing:
        names = ", ".join(str(p) for p in missing)
        raise ValidationError(f"Avant de clôturer, faites signer ou déclarez absent : {names}.")
    sheet.trainer_signature = _clean_signature(signature)
    sheet.trainer_signed_at = clock.now()
    sheet.trainer_ip = ip_address
    sheet.trainer_user_agent = (user_agent or "")[:400]
    sheet.trainer = trainer or sheet.trainer
    sheet.status = AttendanceSheet.Status.CLOSED
    sheet.save()
    audit.record(actor=actor, organisation=organisation, action="attendance.sheet_close", obj=sheet,
                 after=audit.snapshot(sheet, ["status", "trainer", "trainer_signed_at", "trainer_ip",
                                              "trainer_user_agent"]), ip_address=ip_address)
    _issue_sheet_pdf(actor=actor, sheet=sheet)
    return sheet


def _store(*, actor: Any, organisation: Any, kind: str, pdf: bytes, reason: str,
           sheet: AttendanceSheet | None = None, enrolment: Enrolment | None = None,
           hours: Decimal | None = None) -> Document:
    from .sealing import seal_pdf

    sealed = seal_pdf(pdf, organisation=organisation, reason=reason)
    previous = Document.objects.filter(organisation=organisation, kind=kind, sheet=sheet,
                                       enrolment=enrolment).order_by("-version").first()
    doc = Document.objects.create(
        organisation=organisation, kind=kind, sheet=sheet, enrolment=enrolment, hours=hours,
        version=(previous.version + 1) if previous else 1, pdf=sealed,
        sha256=hashlib.sha256(sealed).hexdigest(),
        issued_by=actor if getattr(actor, "is_authenticated", False) else None)
    audit.record(actor=actor, organisation=organisation, action="attendance.document_issue",
                 obj=doc, after={"kind": kind, "version": doc.version, "sha256": doc.sha256,
                                 "hours": hours})
    return doc


def _issue_sheet_pdf(*, actor: Any, sheet: AttendanceSheet) -> Document:
    from .documents import render_sheet_pdf

    return _store(actor=actor, organisation=sheet.organisation, kind=Document.Kind.SHEET,
                  pdf=render_sheet_pdf(sheet), sheet=sheet,
                  reason="Feuille d'émargement clôturée")


def qr_token(sheet: AttendanceSheet) -> str:
    """Signed, not timed: the half-day's window and the sheet's nonce bound its validity, and
    a stable token lets the page reuse the drawn QR code."""
    return signing.Signer(salt=QR_SALT).sign_object({"s": sheet.slot_id, "n": sheet.nonce})


def sheet_from_qr(*, organisation: Any, token: str) -> AttendanceSheet:
    """The sheet a QR code names; refused if forged, of another organisation, or voided."""
    try:
        data = signing.Signer(salt=QR_SALT).unsign_object(token)
        slot_id, nonce = int(data["s"]), str(data["n"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise ValidationError("Ce QR code n'est pas valide : scannez celui affiché par le "
                              "formateur.") from exc
    sheet = AttendanceSheet.objects.for_organisation(organisation).filter(
        slot_id=slot_id, nonce=nonce).select_related("slot__session__training").first()
    if sheet is None:
        raise ValidationError("Ce QR code n'est plus valide : scannez celui affiché par le "
                              "formateur.")
    return sheet


def qr_sign(*, actor: Any, organisation: Any, token: str, learner: Any, signature: str,
            ip_address: str | None, user_agent: str) -> Mark:
    """A learner signs on their own phone, after scanning the sheet's QR code."""
    sheet = sheet_from_qr(organisation=organisation, token=token)
    enrolment = Enrolment.objects.for_organisation(organisation).filter(
        session=sheet.slot.session, learner=learner, status=Enrolment.Status.CONFIRMED).first()
    if enrolment is None:
        raise ValidationError("Vous n'êtes pas inscrit(e) à cette session.")
    return mark_sign(actor=actor, organisation=organisation, sheet=sheet, enrolment=enrolment,
                     signature=signature, channel=Channel.QR_CODE, ip_address=ip_address,
                     user_agent=user_agent)


def remote_sign(*, actor: Any, organisation: Any, slot: SessionSlot, learner: Any, signature: str,
                ip_address: str | None, user_agent: str) -> Mark:
    """A learner of a remote session signs from the extranet; the connection is recorded."""
    if slot.session.organisation_id != organisation.pk or (
            slot.session.training.modality not in selectors.REMOTE_MODALITIES):
        raise ValidationError("Cette demi-journée ne s'émarge pas depuis l'extranet.")
    enrolment = Enrolment.objects.for_organisation(organisation).filter(
        session=slot.session, learner=learner, status=Enrolment.Status.CONFIRMED).first()
    if enrolment is None:
        raise ValidationError("Vous n'êtes pas inscrit(e) à cette session.")
    sheet = selectors.sheet_of(slot)
    if sheet is None:
        sheet = sheet_open(actor=actor, organisation=organisation, slot=slot, ip_address=ip_address)
    return mark_sign(actor=actor, organisation=organisation, sheet=sheet, enrolment=enrolment,
                     signature=signature, channel=Channel.EXTRANET, ip_address=ip_address,
                     user_agent=user_agent)


AMENDABLE = ("status", "arrived_at", "left_at", "reason")


@refusals_audited
def mark_amend(*, actor: Any, organisation: Any, mark: Mark, why: str, status: str,
               arrived_at: Any = None, left_at: Any = None, reason: str = "",
               ip_address: str | None = None) -> Amendment:
    """Corrects a mark of a closed sheet: the before/after and the why are kept, the sheet's
    PDF is sealed again as a new version (the earlier one stays)."""
    sheet = _lock(mark.sheet)
    if mark.organisation_id != organisation.pk:
        raise ValidationError("Cette présence appartient à un autre organisme.")
    if not sheet.is_closed:
        raise ValidationError("La feuille est encore ouverte : le formateur la complète.")
    if not (why or "").strip():
        raise ValidationError("Motif de la correction : obligatoire.")
    if status not in Mark.Status.values:
        raise ValidationError("Présence : choisissez présent, en retard ou absent.")
    arrival, departure = _parse_time(arrived_at, "Heure d'arrivée"), _parse_time(left_at, "Heure de départ")
    slot = sheet.slot
    for value, label in ((arrival, "Heure d'arrivée"), (departure, "Heure de départ")):
        if value is not None and not (slot.starts_at <= value <= slot.ends_at):
            raise ValidationError(f"{label} : elle doit être dans la demi-journée "
                                  f"({slot.starts_at:%H:%M}–{slot.ends_at:%H:%M}).")
    if status == Mark.Status.ABSENT:
        arrival = departure = None
    if status != Mark.Status.PRESENT and not reason.strip():
        raise ValidationError("Motif (retard ou absence) : obligatoire.")
    before = audit.snapshot(mark, AMENDABLE)
    mark.status, mark.arrived_at, mark.left_at = status, arrival, departure
    mark.reason = reason.strip()[:300]
    after = audit.snapshot(mark, AMENDABLE)
    if before == after:
        raise ValidationError("Aucun changement : la présence est déjà ainsi.")
    mark.save()
    amendment = Amendment.objects.create(organisation=organisation, sheet=sheet, mark=mark,
                                         author=actor, reason=why.strip()[:500], before=before,
                                         after=after)
    audit.record(actor=actor, organisation=organisation, action="attendance.mark_amend", obj=mark,
                 before={**before, "motif_correction": None},
                 after={**after, "motif_correction": amendment.reason}, ip_address=ip_address)
    _issue_sheet_pdf(actor=actor, sheet=sheet)
    return amendment


def documents_generate(*, actor: Any, organisation: Any, session: TrainingSession,
                       notify: bool = True) -> list[Document]:
    """The three end-of-training documents of each confirmed learner, sealed; each learner
    is e-mailed once the transaction commits. Refused while a sheet is still open."""
    from .documents import END_KINDS, render_learner_document

    if session.organisation_id != organisation.pk:
        raise ValidationError("Cette session appartient à un autre organisme.")
    open_sheets = AttendanceSheet.objects.for_organisation(organisation).filter(
        slot__session=session, status=AttendanceSheet.Status.OPEN)
    if open_sheets.exists():
        days = ", ".join(str(s.slot) for s in open_sheets.select_related("slot"))
        raise ValidationError(f"Feuille encore ouverte ({days}) : le formateur doit la clôturer "
                              "avant l'édition des attestations.")
    hours = selectors.hours_attended_by_enrolment(session)
    issued: list[Document] = []
    with transaction.atomic():
        for enrolment in selectors.roster(session):
            for kind in END_KINDS:
                pdf = render_learner_document(kind, enrolment, hours[enrolment.pk])
                issued.append(_store(actor=actor, organisation=organisation, kind=kind, pdf=pdf,
                                     enrolment=enrolment, hours=hours[enrolment.pk],
                                     reason=Document.Kind(kind).label))
        if notify:
            transaction.on_commit(lambda: _mail_learners(session, issued))
    return issued


def _mail_learners(session: TrainingSession, documents: list[Document]) -> None:
    from ofelia.notifications.services import notify

    by_learner: dict[int, list[Document]] = {}
    for doc in documents:
        by_learner.setdefault(doc.enrolment_id or 0, []).append(doc)
    for docs in by_learner.values():
        learner = docs[0].enrolment.learner  # type: ignore[union-attr]
        notify(organisation=session.organisation, kind="certificates", to=learner.email,
               about=docs[0].enrolment, context={"first_name": learner.first_name,
                                                 "title": session.training.title},
               attachments=[(doc.filename, bytes(doc.pdf), "application/pdf") for doc in docs])
