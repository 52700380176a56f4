"""Reads of the session roster: who is enrolled with which contract, the learners staff may
add, the sessions a learner may move to, and what removing a learner would cost."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery

from ofelia.catalogue.models import Enrolment, TrainingSession
from ofelia.catalogue.seats import has_started, with_seats
from ofelia.organisations.models import Learner
from ofelia.rules.errors import RulesError
from ofelia.rules.french import fr_date

from . import rules_io
from .models import Contract, ContractEvent
from .selectors import contracts_by_enrolment, session_roster

SEARCH_LIMIT = 10
SEARCH_MIN_LENGTH = 2
DEAD = (Contract.Status.CANCELLED, Contract.Status.RETRACTED)


def client_key(*, company_id: int | None, consumer_id: int | None) -> tuple[str, int] | None:
    """Who pays for a learner (or who a contract is with): the employer, else the consumer."""
    if company_id:
        return ("company", company_id)
    if consumer_id:
        return ("consumer", consumer_id)
    return None


def learner_search(*, organisation: Any, session: TrainingSession, query: str,
                   limit: int = SEARCH_LIMIT) -> list[Learner]:
    """Learners of the organisation whose first name, last name or e-mail starts with each
    word typed (at most `limit` + 1, so the page can say there are more). Each carries
    `enrolled` ("confirmed", "waitlisted" or None) for this session."""
    words = query.split()[:4]
    if not words or sum(len(w) for w in words) < SEARCH_MIN_LENGTH:
        return []
    learners = Learner.objects.filter(organisation=organisation)
    for word in words:
        learners = learners.filter(Q(first_name__istartswith=word) | Q(last_name__istartswith=word)
                                   | Q(email__istartswith=word))
    status = (Enrolment.objects.filter(session=session, learner=OuterRef("pk"))
              .exclude(status=Enrolment.Status.CANCELLED).values("status")[:1])
    return list(learners.select_related("company", "consumer")
                .annotate(enrolled=Subquery(status))
                .order_by("last_name", "first_name", "id")[:limit + 1])


def session_contracts_by_client(*, session: TrainingSession) -> dict[tuple[str, int], Contract]:
    """The live contract (draft or signed) of each client of the session, oldest first wins."""
    found: dict[tuple[str, int], Contract] = {}
    for contract in (Contract.objects.filter(session=session).exclude(status__in=DEAD)
                     .order_by("id")):
        key = client_key(company_id=contract.client_company_id, consumer_id=contract.consumer_id)
        if key is not None:
            found.setdefault(key, contract)
    return found


def roster(*, organisation: Any, session: TrainingSession) -> dict[str, list[Enrolment]]:
    """Confirmed, waitlisted (with their `position`) and cancelled enrolments, each with its
    own live `contract` and, without one, its client's live `client_contract` for the session."""
    rows = list(session_roster(organisation=organisation, session=session)
                .select_related("learner__consumer"))
    contract_of = contracts_by_enrolment(session=session)
    by_client = session_contracts_by_client(session=session)
    groups: dict[str, list[Enrolment]] = {s: [] for s in Enrolment.Status.values}
    for e in rows:
        e.contract = contract_of.get(e.pk)  # type: ignore[attr-defined]
        key = client_key(company_id=e.learner.company_id, consumer_id=e.learner.consumer_id)
        e.client_contract = None if e.contract else by_client.get(key)  # type: ignore[attr-defined]
        groups[e.status].append(e)
        e.position = len(groups[e.status])  # type: ignore[attr-defined]
    return groups


def transfer_targets(*, session: TrainingSession, today: date) -> QuerySet[TrainingSession]:
    """The other sessions of the same training that have not started, with their seats."""
    return (with_seats(TrainingSession.objects.filter(organisation=session.organisation_id,
                                                      training=session.training_id))
            .exclude(pk=session.pk).filter(start_date__gt=today).order_by("start_date", "id"))


def enrolment_get(*, organisation: Any, pk: int) -> Enrolment | None:
    return (Enrolment.objects.for_organisation(organisation)
            .select_related("learner__company", "learner__consumer", "session__training")
            .filter(pk=pk).first())


def live_contract(enrolment: Enrolment) -> Contract | None:
    """The contract naming this enrolment that is neither cancelled nor retracted."""
    return (Contract.objects.filter(enrolments=enrolment).exclude(status__in=DEAD)
            .select_related("organisation", "client_company", "consumer").order_by("id").first())


@dataclass(frozen=True)
class Removal:
    """What removing an enrolment means (`kind`), and for a signed contract its outcome.

    kind: "plain" (no contract), "draft" (the draft stops naming the learner),
    "cancellation" (the contract's only learner: the client cancels), "refused" (why in
    `problem`)."""

    kind: str
    contract: Contract | None = None
    outcome: dict[str, Any] | None = None
    problem: str = ""


def other_learners(contract: Contract, enrolment: Enrolment) -> int:
    return (contract.enrolments.exclude(pk=enrolment.pk)
            .exclude(status=Enrolment.Status.CANCELLED).count())


def removal_preview(*, enrolment: Enrolment, reason: str, today: date) -> Removal:
    """What a removal would do, evaluated by the rules core on the would-be events."""
    contract = live_contract(enrolment)
    if contract is None:
        return Removal("plain")
    if contract.status == Contract.Status.DRAFT:
        return Removal("draft", contract)
    refusal = removal_refusal(contract, enrolment, today=today)
    if refusal:
        return Removal("refused", contract, problem=refusal)
    recorded = list(contract.events.order_by("on", "id"))
    cancellation = ContractEvent(contract=contract, type=ContractEvent.Type.CANCELLATION,
                                 on=today, by=ContractEvent.By.CLIENT, reason=reason)
    try:
        outcome = rules_io.evaluate_contract(contract, as_of=today,
                                             events=[*recorded, cancellation])
    except RulesError as exc:
        return Removal("refused", contract, problem=f"Évaluation impossible : {exc}")
    return Removal("cancellation", contract, outcome)


def removal_refusal(contract: Contract, enrolment: Enrolment, *, today: date) -> str:
    """Why a learner of a signed contract cannot be removed from the roster ("" if they can)."""
    if contract.status != Contract.Status.SIGNED:
        return (f"{contract} est « {contract.get_status_display()} » : l'inscription ne se "
                "retire plus depuis la session.")
    if has_started(enrolment.session, today=today):
        return (f"La session a commencé le {fr_date(enrolment.session.start_date)} : ce n'est plus "
                "une annulation mais un abandon (ABD) ou un arrêt, à enregistrer sur la page du "
                f"contrat {contract.number} avec les heures suivies.")
    others = other_learners(contract, enrolment)
    if others:
        return (f"{contract} couvre aussi {others} autre(s) stagiaire(s) : retirer l'un d'eux "
                "modifie la convention signée, ce qui se fait depuis la page du contrat "
                "(avenant ou annulation), pas depuis la session.")
    return ""
