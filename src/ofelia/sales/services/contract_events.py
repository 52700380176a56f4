"""Events on a signed contract, evaluated by the rules core: what the terms refuse is refused."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from ofelia.catalogue.models import Enrolment, TrainingSession
from ofelia.catalogue.seats import (
    enrolment_cancel,
    enrolment_create,
    free_seats,
    locked_session,
)
from ofelia.core import audit, clock
from ofelia.rules.errors import RulesError
from ofelia.rules.french import fr_date

from .. import mails, rules_io, signals
from ..models import ClientKind, Contract, ContractEvent, FundingEntry
from ..selectors import delivery_as_of
from .contracts import RuleRefusal, _is_administrator

_ENDING_STATUS = {
    ContractEvent.Type.RETRACTION: Contract.Status.RETRACTED,
    ContractEvent.Type.CANCELLATION: Contract.Status.CANCELLED,
    ContractEvent.Type.ABANDONMENT: Contract.Status.ENDED,
    ContractEvent.Type.PROVIDER_STOP: Contract.Status.ENDED,
}


def _deadline(outcome: Mapping[str, Any], name: str) -> tuple[date, str, str] | None:
    value = outcome.get("deadlines", {}).get(name)
    if not isinstance(value, str):
        return None
    rule, text = "", ""
    reason = outcome.get("deadline_reasons", {}).get(name)
    if isinstance(reason, Mapping):
        rule, text = str(reason.get("rule", "")), str(reason.get("explanation", ""))
    return date.fromisoformat(value[:10]), rule, text


def _check_event_allowed(
    *, contract: Contract, event: ContractEvent, before: Mapping[str, Any], actor: Any,
    recorded: Sequence[ContractEvent] = (),
) -> None:
    """Refuse what the terms refuse, citing the rule and the clause (from the core's outcome)."""
    if event.type == ContractEvent.Type.RETRACTION:
        if contract.client_kind == ClientKind.PROFESSIONAL:
            raise RuleRefusal("RET-4", "Un client professionnel n'a pas de droit de rétractation.")
        ends = _deadline(before, "retraction_ends")
        if ends is not None and event.on > ends[0]:
            raise RuleRefusal(
                ends[1] or "RET-1",
                f"Rétractation refusée : le délai a pris fin le {fr_date(ends[0])}. {ends[2]}".strip(),
            )
    if event.type == ContractEvent.Type.SCHEDULE_CHOICE:
        _check_schedule_choice(contract=contract, event=event)
        return
    if event.type == ContractEvent.Type.RESCISSION:
        _check_rescission(contract=contract, event=event, before=before, recorded=recorded)
        return
    provider_side = event.type == ContractEvent.Type.SCHEDULE_CHANGE or (
        event.type == ContractEvent.Type.CANCELLATION and event.by == ContractEvent.By.PROVIDER
    )
    if provider_side:
        limit = _deadline(before, "provider_cancel_by")
        if limit is not None and event.on > limit[0]:
            if not event.force_reason.strip():
                raise RuleRefusal(
                    limit[1] or "PRV-D1",
                    f"Report ou annulation par l'organisme refusé : la limite était le "
                    f"{fr_date(limit[0])}. {limit[2]} Seul un administrateur peut passer outre, "
                    "en donnant un motif.".strip(),
                )
            if not _is_administrator(actor, contract.organisation):
                raise RuleRefusal(
                    limit[1] or "PRV-D1",
                    "Passer outre le délai de report ou d'annulation est réservé aux administrateurs.",
                )
            event.forced = True


def _check_schedule_choice(*, contract: Contract, event: ContractEvent) -> None:
    """PRV-D4: after the provider's unilateral change, the client ends or moves.

    Only once per change; ending only within the clause's delay before the start.
    """
    from ofelia.rules.calendars import latest_act_day

    recorded = list(contract.events.filter(
        type__in=[ContractEvent.Type.SCHEDULE_CHANGE, ContractEvent.Type.SCHEDULE_CHOICE]
    ).order_by("on", "id"))
    if not recorded or recorded[-1].type != ContractEvent.Type.SCHEDULE_CHANGE:
        raise RuleRefusal("PRV-D4", "Aucun changement de dates, d'horaires ou de lieu notifié par "
                                    "l'organisme n'attend de réponse du client.")
    if event.on < recorded[-1].on:
        raise ValidationError("Le choix du client ne peut pas précéder le changement notifié.")
    policy = rules_io.contract_policy(contract)
    clause = policy.clause("PRV-D4")
    if clause is None or not clause.applies_to(contract.client_kind, contract.format):
        raise RuleRefusal("PRV-D4", f"Les conditions {policy.document} ne prévoient pas ce choix "
                                    "pour ce client : enregistrez une annulation ou un report.")
    if event.choice == ContractEvent.Choice.END:
        n = int(clause.get("end_until_jours_francs"))
        until = latest_act_day(contract.start_date, n)
        if event.on > until:
            raise RuleRefusal(
                "PRV-D4",
                f"Fin du contrat refusée : le client pouvait y mettre fin jusqu'au {fr_date(until)} "
                f"({n} jours francs avant le début) — {clause.summary} ({clause.article}). Il peut "
                "encore reporter son inscription à une session ultérieure.",
            )
    else:
        target = event.moved_to
        if target is None or target.organisation_id != contract.organisation_id:
            raise ValidationError("Choisissez la session ultérieure de report.")
        if target.start_date <= contract.start_date or target.pk == contract.session_id:
            raise RuleRefusal("PRV-D4", f"Le report se fait sur une session ultérieure "
                                        f"(après le {fr_date(contract.start_date)}) — {clause.article}.")


def _move_to_session(*, actor: Any, contract: Contract, target: TrainingSession) -> None:
    """The contract and its learners move to the later session (seats taken there first)."""
    target = locked_session(organisation=contract.organisation, session_id=target.pk)
    moving = list(contract.enrolments.exclude(status=Enrolment.Status.CANCELLED).select_related("learner"))
    free = free_seats(target)
    if len(moving) > free:
        raise ValidationError(f"La session du {fr_date(target.start_date)} n'a que {free} "
                              f"place(s) libre(s) pour {len(moving)} stagiaire(s).")
    for enrolment in moving:
        enrolment_cancel(actor=actor, organisation=contract.organisation, enrolment=enrolment)
    moved = [enrolment_create(actor=actor, organisation=contract.organisation, session=target,
                              learner=e.learner) for e in moving]
    contract.session = target
    contract.start_date = target.start_date
    contract.end_date = target.end_date
    contract.save(update_fields=["session", "start_date", "end_date"])
    contract.enrolments.add(*moved)


@transaction.atomic
def contract_event_record(
    *,
    actor: Any,
    contract: Contract,
    type: str,
    on: date,
    by: str = "",
    reason: str = "",
    hours_attended: Decimal | None = None,
    note: str = "",
    force_reason: str = "",
    choice: str = "",
    moved_to: TrainingSession | None = None,
    payer: str = "",
    as_of: date | None = None,
) -> ContractEvent:
    """Record a flow on a signed contract, evaluated by the rules core; the outcome is kept.

    A refusal (RuleRefusal) names the rule and the clause and changes nothing.
    """
    contract = Contract.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=contract.pk)
    if contract.status != Contract.Status.SIGNED:
        raise ValidationError(
            f"{contract} est {contract.status_label} : aucun événement ne peut s'y ajouter."
        )
    as_of = as_of or clock.today()
    delivery = delivery_as_of(contract=contract, day=on)
    if type in {ContractEvent.Type.ABANDONMENT, ContractEvent.Type.PROVIDER_STOP} and (
            hours_attended is None):
        # Unless staff say otherwise, what was delivered before that day (planned half-days).
        hours_attended = delivery.hours
    if type == ContractEvent.Type.CANCELLATION and delivery.phase == "after":
        raise ValidationError(
            f"La formation s'est terminée le {fr_date(contract.end_date)} : il n'y a plus rien à "
            "annuler, elle est réalisée et son prix est dû.")
    recorded = list(contract.events.order_by("on", "id"))
    funding = list(contract.funding.all())
    _check_payer(type=type, payer=payer, funding=funding, recorded=recorded)
    event = ContractEvent(
        organisation=contract.organisation, contract=contract, type=type, on=on, by=by,
        reason=reason, hours_attended=hours_attended, note=note, force_reason=force_reason,
        choice=choice, moved_to=moved_to, payer=payer,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
        evaluated_as_of=as_of,
    )
    event.full_clean(exclude=["contract", "organisation", "recorded_by"])
    _require_event_facts(contract, event, recorded)
    try:
        before = rules_io.evaluate_contract(contract, as_of=as_of, events=recorded, funding=funding)
    except RulesError as exc:
        raise ValidationError(str(exc)) from exc
    _check_event_allowed(contract=contract, event=event, before=before, actor=actor,
                         recorded=recorded)
    if event.type == ContractEvent.Type.OPCO_AGREEMENT:
        opco = next((f for f in funding if f.payer == FundingEntry.Payer.OPCO), None)
        if opco is None:
            raise ValidationError("Ce contrat n'a pas de financement OPCO.")
        opco.agreement_on = on
        opco.save(update_fields=["agreement_on"])
    if event.type == ContractEvent.Type.SCHEDULE_CHOICE and event.choice == ContractEvent.Choice.MOVE:
        assert event.moved_to is not None  # checked by _check_schedule_choice
        _move_to_session(actor=actor, contract=contract, target=event.moved_to)
    try:
        event.outcome = rules_io.evaluate_contract(
            contract, as_of=as_of, events=[*recorded, event], funding=funding
        )
    except RulesError as exc:
        raise ValidationError(str(exc)) from exc
    event.save()
    status_before = contract.status
    new_status = _ENDING_STATUS.get(event.type)
    if event.type == ContractEvent.Type.RESCISSION and _delivery_clause(contract) is not None:
        # PRV-F1 (checked above): the contract is rescinded, nothing is owed.
        new_status = Contract.Status.CANCELLED
    if event.type == ContractEvent.Type.SCHEDULE_CHOICE and event.choice == ContractEvent.Choice.END:
        new_status = Contract.Status.CANCELLED
    if new_status is not None:
        contract.status = new_status
        contract.save(update_fields=["status"])
    audit.record(
        actor=actor,
        action="contract_event.force" if event.forced else "contract_event.record",
        organisation=contract.organisation,
        obj=event,
        before={"contract_status": status_before},
        after={**audit.snapshot(event, ["type", "on", "by", "reason", "hours_attended",
                                        "forced", "force_reason", "choice", "moved_to",
                                        "payer"]),
               "contract": contract.number, "contract_status": contract.status},
    )
    if contract.status in {Contract.Status.RETRACTED, Contract.Status.CANCELLED}:
        # The seats come back to the session (and to its waiting list).
        for enrolment in contract.enrolments.exclude(status=Enrolment.Status.CANCELLED):
            enrolment_cancel(actor=actor, organisation=contract.organisation, enrolment=enrolment)
    if contract.status == Contract.Status.RETRACTED:
        mails.retraction_acknowledged(contract, on=on)
    transaction.on_commit(lambda: signals.contract_event_recorded.send(
        sender=Contract, contract=contract, event=event, actor=actor))
    return event


REFUSING_PAYERS = {
    "opco": "l'OPCO", "faf": "le FAF", "france_travail": "France Travail",
    "cpf": "le CPF (abondement)",
}


def _of(name: str) -> str:
    """« de » before a payer's name, with its article: « du FAF », « de l'OPCO »."""
    return "du " + name[3:] if name.startswith("le ") else f"de {name}"


def _check_payer(*, type: str, payer: str, funding: Sequence[FundingEntry],
                 recorded: Sequence[ContractEvent]) -> None:
    """CAN-L1: a refusal names a funder declared on the contract, once; no other event
    names a payer. Checked before anything is written."""
    if type != ContractEvent.Type.FUNDING_REFUSED:
        if payer:
            raise ValidationError("Seul un refus de prise en charge (CAN-L1) indique un financeur.")
        return
    if not payer:
        raise ValidationError("Indiquez le financeur qui refuse la prise en charge "
                              "(OPCO, FAF, France Travail ou CPF).")
    if payer not in REFUSING_PAYERS:
        raise ValidationError(f"Financeur « {payer} » inconnu : OPCO, FAF, France Travail ou CPF.")
    declared = [f.payer for f in funding]
    if payer not in declared:
        known = ", ".join(f.get_payer_display() for f in funding) or "aucun"
        raise ValidationError(
            f"Refus de prise en charge par {REFUSING_PAYERS[payer]} impossible : ce financeur "
            f"n'est pas déclaré dans le plan de financement du contrat (financeurs : {known})."
        )
    earlier = next((e for e in recorded
                    if e.type == ContractEvent.Type.FUNDING_REFUSED and e.payer == payer), None)
    if earlier is not None:
        raise ValidationError(f"Le refus {_of(REFUSING_PAYERS[payer])} est déjà enregistré "
                              f"(le {fr_date(earlier.on)}) ; seul le premier compte.")


def _delivery_clause(contract: Contract) -> Any:
    """The PRV-F1 clause of the contract's terms for this client, or None."""
    clause = rules_io.contract_policy(contract).clause("PRV-F1")
    if clause is None or not clause.applies_to(contract.client_kind, contract.format):
        return None
    return clause


def _check_rescission(*, contract: Contract, event: ContractEvent, before: Mapping[str, Any],
                      recorded: Sequence[ContractEvent]) -> None:
    """PRV-F1: a rescission only once the delivery is late beyond the clause's delay and
    before any delivery. Without the clause the core's warning says it has no effect."""
    clause = _delivery_clause(contract)
    if clause is None:
        return
    delivered = next((e for e in recorded if e.type == ContractEvent.Type.DELIVERY), None)
    if delivered is not None and delivered.on <= event.on:
        raise RuleRefusal("PRV-F1", f"Résolution refusée : la prestation a été fournie le "
                                    f"{fr_date(delivered.on)} — {clause.summary} ({clause.article}).")
    since = _deadline(before, "rescission_from")
    if since is None or event.on < since[0]:
        months = int(clause.get("delay_months"))
        when = (f"elle n'est possible qu'à partir du {fr_date(since[0])}. {since[2]}" if since
                else f"la fourniture n'a pas plus de {months} mois calendaires de retard.")
        raise RuleRefusal("PRV-F1", f"Résolution refusée : {when} ({clause.article})".strip())


def _require_event_facts(contract: Contract, event: ContractEvent,
                         recorded: Sequence[ContractEvent] = ()) -> None:
    t = ContractEvent.Type
    if event.type == t.DELIVERY:
        first = next((e for e in recorded if e.type == t.DELIVERY), None)
        if first is not None:
            raise ValidationError(f"La fourniture est déjà enregistrée le {fr_date(first.on)} : "
                                  "seule la première compte (PRV-F1).")
    if event.type == t.SCHEDULE_CHOICE and event.choice not in ContractEvent.Choice.values:
        raise ValidationError("Indiquez le choix du client : mettre fin au contrat ou reporter.")
    if event.type == t.CANCELLATION and (not event.by or not event.reason):
        raise ValidationError("Une annulation indique qui annule et pour quel motif.")
    if event.type == t.ABANDONMENT and not event.reason:
        raise ValidationError("Un abandon indique son motif (force majeure, motif légitime, autre).")
    if event.type in {t.ABANDONMENT, t.PROVIDER_STOP}:
        if event.hours_attended is None:
            raise ValidationError("Indiquez les heures suivies.")
        if not Decimal(0) <= event.hours_attended <= contract.hours:
            raise ValidationError(
                f"Les heures suivies doivent être entre 0 et {rules_io.number(contract.hours)}."
            )
    if event.on < (contract.signed_on or event.on):
        raise ValidationError("Un événement ne peut pas précéder la signature du contrat.")
