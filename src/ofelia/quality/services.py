"""Writes of the complaints register and the improvement actions: each in a transaction,
checked (clear French error, nothing changed) and audited before/after."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from ofelia.core import audit, clock
from ofelia.organisations.models import ConsumerClient, Membership, Organisation, Role
from ofelia.sales.models import Contract

from .models import Complaint, ImprovementAction, QualiopiExclusion
from .qualiopi import BY_NUMBER

# The organisation's own deadline for answering, in calendar days, until it sets another
# one on the complaint (docs/quality.md: no legal delay; Qualiopi indicator 31 asks for one).
DEFAULT_ANSWER_DAYS = 15

_AUDIT = ["number", "complainant", "channel", "subject", "concerns_delivery", "contract",
          "received_on", "answer_due_on", "answer", "answered_on", "status", "closed_on",
          "closing_note", "client_company", "consumer_client"]
_ACTION_AUDIT = ["complaint", "title", "description", "owner", "due_on", "status", "done_on",
                 "outcome"]


def _text(value: str | None, label: str, limit: int, errors: dict[str, str], key: str) -> str:
    value = (value or "").strip()
    if not value:
        errors[key] = f"Indiquez {label}."
    elif len(value) > limit:
        errors[key] = f"{label[0].upper()}{label[1:]} : {limit} caractères au plus."
    return value


def _next_number(organisation: Organisation) -> int:
    last = (Complaint.objects.for_organisation(organisation).select_for_update()
            .aggregate(m=Max("number"))["m"])
    return (last or 0) + 1


def _create(*, actor: Any, organisation: Organisation, values: dict[str, Any]) -> Complaint:
    received: date = values["received_on"]
    complaint = Complaint(organisation=organisation, number=_next_number(organisation),
                          answer_due_on=received + timedelta(days=DEFAULT_ANSWER_DAYS),
                          lodged_by=actor if getattr(actor, "is_authenticated", False) else None,
                          **values)
    complaint.save()
    audit.record(actor=actor, action="complaint.create", organisation=organisation, obj=complaint,
                 after=audit.snapshot(complaint, _AUDIT))
    return complaint


def client_contracts(*, organisation: Organisation, membership: Membership, user: Any
                     ) -> list[Contract]:
    """The contracts a client may name in a complaint: their company's, or their own."""
    qs = Contract.objects.for_organisation(organisation).exclude(status=Contract.Status.DRAFT)
    if membership.role == Role.CLIENT_CONTACT and membership.company_id:
        return list(qs.filter(client_company_id=membership.company_id).order_by("-id"))
    consumer = ConsumerClient.objects.for_organisation(organisation).filter(user=user).first()
    return list(qs.filter(consumer=consumer).order_by("-id")) if consumer else []


@transaction.atomic
def complaint_lodge(*, actor: Any, organisation: Organisation, membership: Membership | None,
                    subject: str, description: str, contract: int | None = None,
                    concerns_delivery: bool = False) -> Complaint:
    """A client lodges a complaint from the extranet; it lands in the register."""
    if (membership is None or membership.organisation_id != organisation.pk
            or membership.role not in (Role.CLIENT_CONTACT, Role.CONSUMER)):
        raise ValidationError("Seuls les clients déposent une réclamation depuis leur espace.")
    errors: dict[str, str] = {}
    subject = _text(subject, "l'objet de la réclamation", 200, errors, "subject")
    description = _text(description, "votre réclamation", 10_000, errors, "description")
    chosen = None
    if contract is not None:
        chosen = next((c for c in client_contracts(organisation=organisation, membership=membership,
                                                   user=actor) if c.pk == contract), None)
        if chosen is None:
            errors["contract"] = "Ce contrat n'est pas le vôtre."
    if errors:
        raise ValidationError(errors)
    consumer = (ConsumerClient.objects.for_organisation(organisation).filter(user=actor).first()
                if membership.role == Role.CONSUMER else None)
    name = actor.get_full_name() or actor.email
    return _create(actor=actor, organisation=organisation, values={
        "complainant": name, "complainant_email": actor.email or "", "channel": Complaint.Channel.EXTRANET,
        "subject": subject, "description": description, "contract": chosen,
        "concerns_delivery": bool(concerns_delivery), "received_on": clock.today(),
        "client_company_id": membership.company_id if membership.role == Role.CLIENT_CONTACT else None,
        "consumer_client": consumer})


@transaction.atomic
def complaint_record(*, actor: Any, organisation: Organisation, complainant: str, channel: str,
                     subject: str, description: str, received_on: date,
                     complainant_email: str = "", contract_number: str = "",
                     concerns_delivery: bool = False) -> Complaint:
    """Staff record a complaint received by mail, phone, letter…"""
    errors: dict[str, str] = {}
    complainant = _text(complainant, "l'auteur", 255, errors, "complainant")
    subject = _text(subject, "l'objet", 200, errors, "subject")
    description = _text(description, "la description", 10_000, errors, "description")
    if channel not in Complaint.Channel.values:
        errors["channel"] = "Canal inconnu."
    if received_on is None or received_on > clock.today():
        errors["received_on"] = "La date de réception ne peut pas être dans le futur."
    contract = None
    if (contract_number or "").strip():
        contract = Contract.objects.for_organisation(organisation).filter(
            number=contract_number.strip()).first()
        if contract is None:
            errors["contract_number"] = "Aucun contrat de l'organisme ne porte ce numéro."
    if errors:
        raise ValidationError(errors)
    return _create(actor=actor, organisation=organisation, values={
        "complainant": complainant, "complainant_email": complainant_email or "",
        "channel": channel, "subject": subject, "description": description, "contract": contract,
        "concerns_delivery": bool(concerns_delivery), "received_on": received_on,
        "client_company_id": contract.client_company_id if contract else None,
        "consumer_client_id": contract.consumer_id if contract else None})


def _locked(organisation: Organisation, pk: int) -> Complaint:
    complaint = (Complaint.objects.for_organisation(organisation).select_for_update()
                 .filter(pk=pk).first())
    if complaint is None:
        raise ValidationError("Réclamation introuvable dans cet organisme.")
    return complaint


def _save(actor: Any, organisation: Organisation, complaint: Complaint, action: str,
          before: dict[str, Any]) -> Complaint:
    complaint.save()
    old, new = audit.changed(before, audit.snapshot(complaint, _AUDIT))
    audit.record(actor=actor, action=action, organisation=organisation, obj=complaint,
                 before=old, after=new)
    return complaint


@transaction.atomic
def complaint_set_deadline(*, actor: Any, organisation: Organisation, pk: int,
                           answer_due_on: date) -> Complaint:
    complaint = _locked(organisation, pk)
    if complaint.status == Complaint.Status.CLOSED:
        raise ValidationError("Cette réclamation est clôturée.")
    if answer_due_on < complaint.received_on:
        raise ValidationError({"answer_due_on": "L'échéance ne peut pas précéder la réception."})
    before = audit.snapshot(complaint, _AUDIT)
    complaint.answer_due_on = answer_due_on
    return _save(actor, organisation, complaint, "complaint.deadline", before)


@transaction.atomic
def complaint_answer(*, actor: Any, organisation: Organisation, pk: int, answer: str) -> Complaint:
    complaint = _locked(organisation, pk)
    if complaint.status == Complaint.Status.CLOSED:
        raise ValidationError("Cette réclamation est clôturée : sa réponse ne change plus.")
    errors: dict[str, str] = {}
    answer = _text(answer, "la réponse apportée", 10_000, errors, "answer")
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(complaint, _AUDIT)
    complaint.answer, complaint.answered_on, complaint.answered_by = answer, clock.today(), actor
    complaint.status = Complaint.Status.ANSWERED
    return _save(actor, organisation, complaint, "complaint.answer", before)


@transaction.atomic
def complaint_close(*, actor: Any, organisation: Organisation, pk: int,
                    closing_note: str = "") -> Complaint:
    complaint = _locked(organisation, pk)
    if complaint.status == Complaint.Status.CLOSED:
        raise ValidationError("Cette réclamation est déjà clôturée.")
    if complaint.answered_on is None:
        raise ValidationError("Répondez à la réclamation avant de la clôturer.")
    before = audit.snapshot(complaint, _AUDIT)
    complaint.status, complaint.closed_on = Complaint.Status.CLOSED, clock.today()
    complaint.closing_note = (closing_note or "").strip()[:10_000]
    return _save(actor, organisation, complaint, "complaint.close", before)


def _action_values(values: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    cleaned = dict(values)
    cleaned["title"] = _text(values.get("title"), "l'action", 200, errors, "title")
    cleaned["owner"] = _text(values.get("owner"), "le responsable", 255, errors, "owner")
    if values.get("due_on") is None:
        errors["due_on"] = "Indiquez l'échéance."
    if values.get("status", ImprovementAction.Status.PLANNED) not in ImprovementAction.Status.values:
        errors["status"] = "État inconnu."
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def action_create(*, actor: Any, organisation: Organisation, complaint_id: int | None,
                  **values: Any) -> ImprovementAction:
    complaint = _locked(organisation, complaint_id) if complaint_id is not None else None
    action = ImprovementAction(organisation=organisation, complaint=complaint,
                               **_action_values(values))
    if action.status == ImprovementAction.Status.DONE:
        action.done_on = clock.today()
    action.save()
    audit.record(actor=actor, action="improvement_action.create", organisation=organisation,
                 obj=action, after=audit.snapshot(action, _ACTION_AUDIT))
    return action


@transaction.atomic
def action_update(*, actor: Any, organisation: Organisation, pk: int,
                  **values: Any) -> ImprovementAction:
    action = (ImprovementAction.objects.for_organisation(organisation).select_for_update()
              .filter(pk=pk).first())
    if action is None:
        raise ValidationError("Action introuvable dans cet organisme.")
    before = audit.snapshot(action, _ACTION_AUDIT)
    for name, value in _action_values(values).items():
        setattr(action, name, value)
    if action.status == ImprovementAction.Status.DONE and action.done_on is None:
        action.done_on = clock.today()
    if action.status != ImprovementAction.Status.DONE:
        action.done_on = None
    action.save()
    old, new = audit.changed(before, audit.snapshot(action, _ACTION_AUDIT))
    audit.record(actor=actor, action="improvement_action.update", organisation=organisation,
                 obj=action, before=old, after=new)
    return action


def qualiopi_not_applicable(*, actor: Any, organisation: Organisation, indicator: int,
                            reason: str) -> Any:
    """Record a Qualiopi indicator as not applicable to the organisation, with its reason.
    Only the indicators that apply to some activities only may be (qualiopi.py `only_for`)."""
    found = BY_NUMBER.get(indicator)
    if found is None:
        raise ValidationError("Cet indicateur n'existe pas.")
    if not found.only_for:
        raise ValidationError(f"L'indicateur {indicator} s'applique à tout organisme : il ne peut "
                              "pas être déclaré non applicable.")
    errors: dict[str, str] = {}
    reason = _text(reason, "le motif", 1000, errors, "reason")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        exclusion, created = QualiopiExclusion.objects.select_for_update().get_or_create(
            organisation=organisation, indicator=indicator,
            defaults={"reason": reason, "decided_by": actor})
        before = None if created else {"reason": exclusion.reason}
        exclusion.reason = reason
        exclusion.decided_by = actor
        exclusion.save()
        audit.record(actor=actor, action="qualiopi.not_applicable", organisation=organisation,
                     obj=exclusion, before=before, after={"indicator": indicator, "reason": reason})
    return exclusion


def qualiopi_applicable(*, actor: Any, organisation: Organisation, indicator: int) -> None:
    """Withdraw a « non applicable » choice: the indicator is assessed again."""
    with transaction.atomic():
        exclusion = (QualiopiExclusion.objects.for_organisation(organisation).select_for_update()
                     .filter(indicator=indicator).first())
        if exclusion is None:
            raise ValidationError("Cet indicateur n'est pas déclaré non applicable.")
        audit.record(actor=actor, action="qualiopi.applicable", organisation=organisation,
                     obj=exclusion, before={"indicator": indicator, "reason": exclusion.reason})
        exclusion.delete()
