"""Writes. Each service runs in a transaction and records an audit row (RULES.md ACC-6)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from ofelia.core import audit, clock
from ofelia.organisations.models import Membership, Organisation
from ofelia.rules.accounts import DATA_RIGHTS, data_request_deadline
from ofelia.rules.french import fr_date

from . import selectors
from .models import DataRequest

MESSAGE_MAX = 5000
RIGHTS_FR = "accès, rectification, effacement, limitation, opposition ou portabilité"


@transaction.atomic
def data_request_file(*, actor: Any, organisation: Organisation, user: Any, right: str,
                      message: str = "") -> DataRequest:
    """ACC-6: a person exercises a right on their data; the answer is due within one month,
    extendable by two (RGPD art. 12.3), counted from the day the request is received."""
    message = (message or "").strip()
    if right not in DATA_RIGHTS:
        raise ValidationError({"right": f"Droit inconnu : choisissez {RIGHTS_FR} (ACC-6)."})
    if right == DataRequest.Right.RECTIFICATION and not message:
        raise ValidationError({"message": "Pour une rectification, indiquez les données inexactes "
                                          "et leur valeur correcte (RGPD art. 16)."})
    if len(message) > MESSAGE_MAX:
        raise ValidationError({"message": f"Message trop long : {MESSAGE_MAX} caractères au plus."})
    received_on = clock.today()
    deadline = data_request_deadline(right, received_on)
    request = DataRequest.objects.create(
        organisation=organisation, user=user,
        person_name=(user.get_full_name() or user.get_username())[:255], person_email=user.email,
        right=right, message=message, received_on=received_on,
        answer_by=deadline.answer_by, extended_answer_by=deadline.extended_answer_by,
    )
    audit.record(actor=actor, action="data_request.file", organisation=organisation, obj=request,
                 after=audit.snapshot(request))
    return request


@transaction.atomic
def data_request_answer(*, actor: Any, request: DataRequest, status: str, answer: str = "") -> DataRequest:
    """Staff answer a request once: answered, or refused with the reason the person must be
    given (RGPD art. 12.4)."""
    answer = (answer or "").strip()
    if status not in (DataRequest.Status.ANSWERED, DataRequest.Status.REFUSED):
        raise ValidationError({"status": "Choisissez « répondue » ou « refusée »."})
    if status == DataRequest.Status.REFUSED and not answer:
        raise ValidationError({"answer": "Indiquez le motif du refus : la personne doit le "
                                         "connaître (RGPD art. 12.4)."})
    if len(answer) > MESSAGE_MAX:
        raise ValidationError({"answer": f"Réponse trop longue : {MESSAGE_MAX} caractères au plus."})
    locked = DataRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status != DataRequest.Status.OPEN:
        when = f" le {fr_date(locked.answered_on)}" if locked.answered_on else ""
        raise ValidationError(f"Cette demande a déjà reçu une réponse{when} : elle ne peut pas "
                              "être traitée deux fois.")
    before = audit.snapshot(locked)
    locked.status = status
    locked.answer = answer
    locked.answered_on = clock.today()
    locked.handled_by = actor if getattr(actor, "is_authenticated", False) else None
    locked.save(update_fields=["status", "answer", "answered_on", "handled_by", "updated_at"])
    old, new = audit.changed(before, audit.snapshot(locked))
    audit.record(actor=actor, action=f"data_request.{status}", organisation=locked.organisation,
                 obj=locked, before=old, after=new)
    return locked


@transaction.atomic
def data_request_extend(*, actor: Any, request: DataRequest, reason: str) -> DataRequest:
    """RGPD art. 12.3: a complex or numerous request may take two more months, provided the
    person is told so, with the reasons, within the first month."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Indiquez à la personne pourquoi le délai est prolongé "
                                         "(RGPD art. 12.3)."})
    if len(reason) > MESSAGE_MAX:
        raise ValidationError({"reason": f"Motif trop long : {MESSAGE_MAX} caractères au plus."})
    locked = DataRequest.objects.select_for_update().get(pk=request.pk)
    today = clock.today()
    if locked.status != DataRequest.Status.OPEN:
        raise ValidationError("Cette demande a déjà reçu une réponse : rien à prolonger.")
    if locked.extended_on is not None:
        raise ValidationError(f"Le délai a déjà été prolongé le {fr_date(locked.extended_on)}.")
    if today > locked.answer_by:
        raise ValidationError(f"Trop tard pour prolonger : la prolongation doit être annoncée dans "
                              f"le premier mois, au plus tard le {fr_date(locked.answer_by)} "
                              "(RGPD art. 12.3).")
    before = audit.snapshot(locked)
    locked.extended_on = today
    locked.extension_reason = reason
    locked.save(update_fields=["extended_on", "extension_reason", "updated_at"])
    old, new = audit.changed(before, audit.snapshot(locked))
    audit.record(actor=actor, action="data_request.extend", organisation=locked.organisation,
                 obj=locked, before=old, after=new)
    return locked


@transaction.atomic
def personal_data_export(*, actor: Any, organisation: Organisation, membership: Membership,
                         user: Any) -> dict[str, Any]:
    """ACC-6 (portability, RGPD art. 20): the person's data in a structured, readable form.
    The export itself is recorded: who took a copy of personal data, and when."""
    data = {"exported_at": clock.now(), **selectors.personal_data(
        organisation=organisation, membership=membership, user=user)}
    audit.record(actor=actor, action="personal_data.export", organisation=organisation,
                 object_type="auth.user", object_id=str(user.pk),
                 object_repr=(user.get_full_name() or user.get_username()))
    return data
