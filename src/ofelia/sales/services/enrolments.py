"""Enrolment moves from the session page: add, remove, transfer. Seats are the catalogue's
(`ofelia.catalogue.seats`); where a signed contract is involved the move is an event of the
contract, evaluated by the rules core (`contract_event_record`), so that what the terms
refuse is refused and what they charge is charged. Readings of the terms: docs/enrolment.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from ofelia.catalogue.models import Enrolment, TrainingSession
from ofelia.catalogue.seats import (
    check_transfer,
    enrolment_cancel,
    enrolment_create,
    enrolment_transfer,
)
from ofelia.core import audit, clock
from ofelia.organisations.models import Learner, Organisation
from ofelia.organisations.services import consumer_for_learner

from ..models import Contract, ContractEvent
from ..roster import live_contract, other_learners, removal_refusal
from .contract_events import contract_event_record
from .contracts import RuleRefusal, contract_update


@dataclass(frozen=True)
class Moved:
    """What a move did: the enrolment it leaves, the one promoted from the waiting list in
    its place, and the contract event recorded, if any."""

    enrolment: Enrolment
    promoted: Enrolment | None = None
    event: ContractEvent | None = None


def _first_waitlisted(session_id: int) -> Enrolment | None:
    return (Enrolment.objects.filter(session_id=session_id, status=Enrolment.Status.WAITLISTED)
            .select_related("learner").order_by("updated_at", "id").first())


def _promoted(candidate: Enrolment | None) -> Enrolment | None:
    if candidate is None:
        return None
    candidate.refresh_from_db(fields=["status"])
    return candidate if candidate.status == Enrolment.Status.CONFIRMED else None


@transaction.atomic
def session_enrolment_add(*, actor: Any, organisation: Organisation, session: TrainingSession,
                          learner: Learner) -> Enrolment:
    """Enrol a learner for their employer, or as a consumer when they have none; confirmed
    while seats remain, waitlisted otherwise."""
    if learner.organisation_id != organisation.pk:
        raise ValidationError("Ce stagiaire appartient à un autre organisme.")
    learner = Learner.objects.select_for_update().get(pk=learner.pk)
    enrolment = enrolment_create(actor=actor, organisation=organisation, session=session,
                                 learner=learner)
    if not learner.company_id and not learner.consumer_id:
        consumer_for_learner(actor=actor, learner=learner)
    return enrolment


def _draft_forgets(*, actor: Any, contract: Contract, enrolment: Enrolment) -> None:
    contract.enrolments.remove(enrolment)
    audit.record(actor=actor, action="contract.enrolment_remove", organisation=contract.organisation,
                 obj=contract, before={"enrolments": [enrolment.pk]},
                 after={"enrolments": list(contract.enrolments.values_list("pk", flat=True))})


@transaction.atomic
def session_enrolment_remove(*, actor: Any, organisation: Organisation, enrolment: Enrolment,
                             reason: str = "") -> Moved:
    """Take a learner off the session; the first waitlisted person gets the seat.

    Without a contract, or with a draft (which stops naming them), the enrolment is simply
    cancelled. With a signed contract whose only learner they are, the removal is the client's
    cancellation of the contract, with the `reason` staff chose (CAN-… of the terms). A signed
    contract covering other learners is changed from the contract page, not from here.
    """
    enrolment = Enrolment.objects.filter(pk=enrolment.pk, organisation=organisation).first()
    if enrolment is None:
        raise ValidationError("Inscription introuvable dans cet organisme.")
    if enrolment.status == Enrolment.Status.CANCELLED:
        raise ValidationError("Cette inscription est déjà annulée.")
    waiting = _first_waitlisted(enrolment.session_id)
    contract = live_contract(enrolment)
    if contract is None or contract.status == Contract.Status.DRAFT:
        if contract is not None:
            _draft_forgets(actor=actor, contract=contract, enrolment=enrolment)
        promoted = enrolment_cancel(actor=actor, organisation=organisation, enrolment=enrolment)
        return Moved(enrolment, promoted)
    refusal = removal_refusal(contract, enrolment, today=clock.today())
    if refusal:
        raise ValidationError(refusal)
    if reason not in ContractEvent.Reason.values:
        raise ValidationError("Choisissez le motif de l'annulation (force majeure, motif légitime "
                              "reconnu ou autre motif) : il décide des frais.")
    event = contract_event_record(actor=actor, contract=contract,
                                  type=ContractEvent.Type.CANCELLATION, on=clock.today(),
                                  by=ContractEvent.By.CLIENT, reason=reason)
    enrolment.refresh_from_db()
    return Moved(enrolment, _promoted(waiting), event)


@transaction.atomic
def session_enrolment_transfer(*, actor: Any, organisation: Organisation, enrolment: Enrolment,
                               target: TrainingSession) -> Moved:
    """Move a learner to another session of the same training, on a free seat there.

    A draft contract follows its only learner (or stops naming one of several). A signed
    contract moves only as the terms allow a report asked by the client: PRV-D4, after the
    organisation changed dates, hours or place — the whole contract then moves.
    """
    today = clock.today()
    enrolment = Enrolment.objects.filter(pk=enrolment.pk, organisation=organisation).first()
    if enrolment is None or target.organisation_id != organisation.pk:
        raise ValidationError("Inscription ou session introuvable dans cet organisme.")
    waiting = _first_waitlisted(enrolment.session_id)
    contract = live_contract(enrolment)
    if contract is None or contract.status == Contract.Status.DRAFT:
        moved, promoted = enrolment_transfer(actor=actor, organisation=organisation,
                                             enrolment=enrolment, target=target, today=today)
        if contract is not None and other_learners(contract, enrolment):
            _draft_forgets(actor=actor, contract=contract, enrolment=enrolment)
        elif contract is not None:
            contract_update(actor=actor, contract=contract, session=target,
                            start_date=target.start_date, end_date=target.end_date)
            contract.enrolments.set([moved])
        return Moved(moved, promoted)
    if contract.status != Contract.Status.SIGNED or other_learners(contract, enrolment):
        raise ValidationError(
            f"Transfert refusé : {contract} ({contract.get_status_display()}) couvre "
            f"{other_learners(contract, enrolment) + 1} stagiaire(s) ; un report porte sur tout "
            "le contrat signé et s'enregistre depuis la page du contrat.")
    check_transfer(source=enrolment.session, target=target, today=today)
    try:
        event = contract_event_record(actor=actor, contract=contract,
                                      type=ContractEvent.Type.SCHEDULE_CHOICE, on=today,
                                      choice=ContractEvent.Choice.MOVE, moved_to=target)
    except RuleRefusal as exc:
        raise RuleRefusal(exc.rule, (
            "Transfert refusé : une inscription sous contrat signé ne se reporte, à la demande "
            "du client, qu'après un changement de dates, d'horaires ou de lieu notifié par "
            f"l'organisme. {exc.explanation} Sinon, annulez l'inscription (avec ses frais) puis "
            "inscrivez le stagiaire sur l'autre session.")) from exc
    moved = Enrolment.objects.get(session=target, learner=enrolment.learner_id)
    return Moved(moved, _promoted(waiting), event)
