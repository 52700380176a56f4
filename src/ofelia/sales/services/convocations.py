"""Convocations: each confirmed learner of a signed contract gets theirs (PDF + .ics), until
the session starts: from its first day on, nobody is convoked any more."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from ofelia.catalogue.models import Enrolment, TrainingSession
from ofelia.catalogue.seats import has_started
from ofelia.core import audit, clock
from ofelia.rules.french import fr_date

from .. import mails
from ..models import Contract


def convocations_closed(session: TrainingSession, *, today: date) -> str:
    """Why convocations can no longer be sent for the session ("" while they can)."""
    if has_started(session, today=today):
        return (f"Convocations refusées : la session a commencé le {fr_date(session.start_date)} ; "
                "on ne convoque qu'avant le premier jour.")
    return ""


def _refuse_once_started(session: TrainingSession) -> None:
    reason = convocations_closed(session, today=clock.today())
    if reason:
        raise ValidationError(reason)


@transaction.atomic
def convocation_send(*, actor: Any, contract: Contract, uid_host: str = "ofelia.localhost") -> int:
    """E-mail each confirmed learner of a signed contract their convocation (PDF + .ics).

    Sent once the transaction commits; returns the number of convocations queued.
    """
    from ..documents import convocation_ics

    if contract.status != Contract.Status.SIGNED:
        raise ValidationError("Seul un contrat signé donne lieu à des convocations.")
    _refuse_once_started(contract.session)
    enrolments = list(
        contract.enrolments.filter(status=Enrolment.Status.CONFIRMED).select_related("learner")
    )
    if not enrolments:
        raise ValidationError("Aucun stagiaire confirmé sur ce contrat.")
    ics = convocation_ics(contract, uid_host=uid_host, stamp=clock.now())
    for enrolment in enrolments:
        mails.convocation(contract, enrolment.learner, ics=ics)
    audit.record(actor=actor, action="contract.convocations_send", organisation=contract.organisation,
                 obj=contract, after={"learners": [e.learner_id for e in enrolments]})
    return len(enrolments)


@transaction.atomic
def session_convocations_send(*, actor: Any, session: TrainingSession,
                              uid_host: str = "ofelia.localhost") -> int:
    """The roster's button: convocations of every signed contract of the session."""
    _refuse_once_started(session)
    contracts = Contract.objects.filter(
        session=session, status=Contract.Status.SIGNED,
        enrolments__status=Enrolment.Status.CONFIRMED).distinct()
    sent = sum(convocation_send(actor=actor, contract=c, uid_host=uid_host) for c in contracts)
    if not sent:
        raise ValidationError("Aucun stagiaire confirmé avec un contrat signé sur cette session.")
    return sent
