"""Writes of the sales app. Each service runs in a transaction and records an audit row."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction

from ofelia.catalogue.models import Enrolment, TrainingSession
from ofelia.core import audit, clock
from ofelia.organisations.models import (
    ClientCompany,
    ConsumerClient,
    Learner,
    Membership,
    Organisation,
    Role,
)
from ofelia.rules.errors import RulesError

from . import rules_io
from .documents import PAYMENT_CLAUSES, TERMINATION_CLAUSES, clause_texts, document_values
from .mentions import CONVENTION, require_mentions
from .models import (
    ClientKind,
    Contract,
    ContractEvent,
    ContractFormat,
    FundingEntry,
    Quote,
    QuoteLine,
    TermsAcceptance,
)


def _locked_session(*, organisation: Organisation, session_id: int) -> TrainingSession:
    # The session row is the lock that serialises every change to its seats: two requests
    # for the last seat queue here, the second one then counts the first one's enrolment.
    session = (
        TrainingSession.objects.for_organisation(organisation)
        .select_for_update()
        .filter(pk=session_id)
        .first()
    )
    if session is None:
        raise ValidationError("Session introuvable dans cet organisme.")
    return session


def _confirmed_count(session: TrainingSession) -> int:
    return Enrolment.objects.filter(session=session, status=Enrolment.Status.CONFIRMED).count()


@transaction.atomic
def enrolment_create(
    *, actor: Any, organisation: Organisation, session: TrainingSession, learner: Learner
) -> Enrolment:
    """Confirmed while seats remain, waitlisted otherwise; never more confirmed than capacity."""
    if learner.organisation_id != organisation.pk:
        raise ValidationError("Ce stagiaire appartient à un autre organisme.")
    session = _locked_session(organisation=organisation, session_id=session.pk)
    status = (
        Enrolment.Status.CONFIRMED
        if _confirmed_count(session) < session.capacity
        else Enrolment.Status.WAITLISTED
    )
    enrolment = Enrolment.objects.filter(session=session, learner=learner).first()
    before = None
    if enrolment is None:
        enrolment = Enrolment(organisation=organisation, session=session, learner=learner)
    elif enrolment.status != Enrolment.Status.CANCELLED:
        raise ValidationError(f"{learner} est déjà inscrit(e) à cette session.")
    else:
        before = audit.snapshot(enrolment)
    enrolment.status = status
    # save() stamps updated_at: for a waitlisted row, the moment it joined the queue.
    enrolment.save()
    audit.record(
        actor=actor,
        action="enrolment.create",
        organisation=organisation,
        obj=enrolment,
        before=before,
        after=audit.snapshot(enrolment),
    )
    return enrolment


def _notify_promotion(enrolment: Enrolment) -> None:
    session = enrolment.session
    learner = enrolment.learner
    send_mail(
        subject=f"Une place s'est libérée : {session.training.title}",
        message=(
            f"Bonjour {learner.first_name},\n\n"
            f"Une place s'est libérée pour la session « {session.training.title} » "
            f"du {session.start_date:%d/%m/%Y} au {session.end_date:%d/%m/%Y}. "
            "Vous étiez premier ou première sur la liste d'attente : votre inscription est "
            "maintenant confirmée.\n\n"
            f"{enrolment.organisation}"
        ),
        from_email=None,
        recipient_list=[learner.email],
    )


@transaction.atomic
def enrolment_cancel(*, actor: Any, organisation: Organisation, enrolment: Enrolment) -> Enrolment | None:
    """Cancel; a confirmed seat freed goes to the first waitlisted person, who is e-mailed.

    Returns the promoted enrolment, if any.
    """
    session = _locked_session(organisation=organisation, session_id=enrolment.session_id)
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk, organisation=organisation)
    if enrolment.status == Enrolment.Status.CANCELLED:
        raise ValidationError("Cette inscription est déjà annulée.")
    before = audit.snapshot(enrolment)
    freed_seat = enrolment.status == Enrolment.Status.CONFIRMED
    enrolment.status = Enrolment.Status.CANCELLED
    enrolment.save(update_fields=["status"])
    audit.record(
        actor=actor, action="enrolment.cancel", organisation=organisation, obj=enrolment,
        before=before, after=audit.snapshot(enrolment),
    )
    if not freed_seat or _confirmed_count(session) >= session.capacity:
        return None
    promoted = (
        Enrolment.objects.filter(session=session, status=Enrolment.Status.WAITLISTED)
        .select_related("learner", "session__training", "organisation")
        .order_by("updated_at", "id")  # arrival in the queue; see enrolment_create
        .first()
    )
    if promoted is None:
        return None
    before = audit.snapshot(promoted)
    promoted.status = Enrolment.Status.CONFIRMED
    promoted.save(update_fields=["status"])
    audit.record(
        actor=actor, action="enrolment.promote_from_waitlist", organisation=organisation,
        obj=promoted, before=before, after=audit.snapshot(promoted),
    )
    # Only once the seat is really theirs (the transaction committed).
    transaction.on_commit(lambda: _notify_promotion(promoted))
    return promoted


# --- contracts ---------------------------------------------------------------------------

class RuleRefusal(ValidationError):
    """What the terms refuse: carries the rule id and the clause's explanation."""

    def __init__(self, rule: str, message: str) -> None:
        self.rule = rule
        self.explanation = message
        super().__init__(f"{message} [{rule}]", code=rule)


def _next_number(model: type[Any], organisation: Organisation, prefix: str, year: int) -> str:
    # Numbers are sequential per organisation and year; the organisation row lock keeps two
    # concurrent creations from taking the same one.
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    stem = f"{prefix}-{year}-"
    taken = model.objects.for_organisation(organisation).filter(number__startswith=stem).count()
    return f"{stem}{taken + 1:05d}"


def _is_administrator(actor: Any, organisation: Organisation) -> bool:
    return Membership.objects.filter(
        user=actor, organisation=organisation, role=Role.ADMINISTRATOR, is_active=True
    ).exists()


LEGAL_EARLY_TERMINATION = (
    "Si, par suite de force majeure dûment reconnue, le stagiaire est empêché de suivre la "
    "formation, il peut rompre le contrat ; seules les prestations effectivement dispensées sont "
    "alors dues, au prorata de leur valeur prévue au contrat (Code du travail L6353-7)."
)


def _trainers_text(session: TrainingSession) -> str:
    trainers = list(session.trainers.select_related("membership__user")) if session.pk else []
    if not trainers:
        trainers = list(session.training.trainers.select_related("membership__user"))
    return "\n".join(t.with_titles for t in trainers)


@transaction.atomic
def contract_create(
    *,
    actor: Any,
    organisation: Organisation,
    session: TrainingSession,
    client_company: ClientCompany | None = None,
    consumer: ConsumerClient | None = None,
    enrolments: Sequence[Enrolment] = (),
    funding: Sequence[Mapping[str, Any]] = (),
    quote: Quote | None = None,
    **fields: Any,
) -> Contract:
    """A draft convention (client company) or contrat de formation (consumer) for a session.

    What the catalogue says (title, price, hours, dates, place) is copied as the default;
    `fields` override it (any Contract field: objectives, programme, deposit…).
    """
    if (client_company is None) == (consumer is None):
        raise ValidationError("Un contrat a un client : une entreprise ou un particulier.")
    for related in (session, client_company, consumer, quote, *enrolments):
        if related is not None and related.organisation_id != organisation.pk:
            raise ValidationError("Cet élément appartient à un autre organisme.")
    if any(e.session_id != session.pk for e in enrolments):
        raise ValidationError("Une inscription ne correspond pas à la session du contrat.")
    training = session.training
    kind = Contract.Kind.CONVENTION if client_company is not None else Contract.Kind.CONTRAT
    defaults: dict[str, Any] = {
        "title": training.title,
        "price": training.price_excl_vat,
        "hours": training.duration_hours,
        "start_date": session.start_date,
        "end_date": session.end_date,
        "format": ContractFormat.ELEARNING if training.modality == "elearning" else training.format,
        "delivery": f"{training.get_modality_display()} — {session.place}".strip(" —"),
        "workforce": max(len(enrolments), 1),
        "policy_id": organisation.policy_id,
        # What the catalogue says the training is (the mentions of D6353-1 / L6353-4).
        "objectives": training.objectives,
        "programme": training.programme,
        "prerequisites": training.prerequisites,
        "means": training.means,
        "follow_up": training.follow_up,
        "assessment": training.assessment,
        "trainers": _trainers_text(session),
    }
    defaults.update(fields)
    # Blank terms are filled from the organisation's own clauses, article included.
    for name, which in (("payment_terms", PAYMENT_CLAUSES), ("early_termination", TERMINATION_CLAUSES)):
        if not defaults.get(name):
            defaults[name] = clause_texts(organisation, defaults["policy_id"], clock.today(),
                                          kind, which)
    if kind == Contract.Kind.CONTRAT and not defaults.get("early_termination"):
        # Terms silent on early termination: the statute still applies and is what we print.
        defaults["early_termination"] = LEGAL_EARLY_TERMINATION
    contract = Contract(
        organisation=organisation,
        kind=kind,
        number=_next_number(Contract, organisation, "CV" if kind == CONVENTION else "CT",
                            clock.today().year),
        session=session,
        client_company=client_company,
        consumer=consumer,
        quote=quote,
        **defaults,
    )
    if not contract.policy_id:
        raise ValidationError("L'organisme n'a pas de conditions générales (politique) configurées.")
    contract.full_clean(exclude=["enrolments"])
    contract.save()
    contract.enrolments.set(enrolments)
    for entry in funding:
        FundingEntry.objects.create(contract=contract, **entry)
    audit.record(actor=actor, action="contract.create", organisation=organisation, obj=contract,
                 after={**audit.snapshot(contract), "funding": list(funding),
                        "enrolments": [e.pk for e in enrolments]})
    return contract


@transaction.atomic
def contract_update(*, actor: Any, contract: Contract, **fields: Any) -> Contract:
    """Drafts only: a signed contract is evidence, its changes go through events."""
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if contract.status != Contract.Status.DRAFT:
        raise ValidationError("Un contrat signé ne se modifie plus ; enregistrez un événement.")
    before = audit.snapshot(contract)
    for name, value in fields.items():
        if name in {"organisation", "kind", "number", "status", "signed_on", "signed_at",
                    "policy_version", "policy_sha256"}:
            raise ValidationError(f"Le champ {name} ne se modifie pas ainsi.")
        setattr(contract, name, value)
    contract.full_clean(exclude=["enrolments"])
    contract.save()
    old, new = audit.changed(before, audit.snapshot(contract))
    audit.record(actor=actor, action="contract.update", organisation=contract.organisation,
                 obj=contract, before=old, after=new)
    return contract


@transaction.atomic
def contract_sign(
    *,
    actor: Any,
    contract: Contract,
    accepted_by_name: str,
    method: str,
    user: Any = None,
    ip_address: str | None = None,
) -> Contract:
    """Signature: mentions complete, the policy version in force today fixed, acceptance kept."""
    contract = Contract.objects.select_for_update(of=("self",)).select_related(
        "organisation", "client_company", "consumer", "session__training"
    ).get(pk=contract.pk)
    if contract.status != Contract.Status.DRAFT:
        raise ValidationError("Ce contrat est déjà signé.")
    require_mentions(contract.kind, document_values(contract))
    now = clock.now()
    try:
        policy = rules_io.policy_for_signature(contract.organisation, contract.policy_id, now.date())
    except RulesError as exc:
        raise ValidationError(f"Conditions applicables introuvables : {exc}") from exc
    before = audit.snapshot(contract)
    contract.signed_at = now
    contract.signed_on = now.date()
    contract.policy_version = policy.version
    contract.policy_sha256 = rules_io.policy_sha256(contract.organisation, policy.id, policy.version)
    contract.status = Contract.Status.SIGNED
    contract.save()
    acceptance = TermsAcceptance.objects.create(
        organisation=contract.organisation, contract=contract, user=user,
        accepted_by_name=accepted_by_name, accepted_at=now, method=method,
        policy_id=policy.id, policy_version=policy.version, policy_sha256=contract.policy_sha256,
        ip_address=ip_address if ip_address is not None else audit.current_ip.get(),
    )
    old, new = audit.changed(before, audit.snapshot(contract))
    audit.record(actor=actor, action="contract.sign", organisation=contract.organisation,
                 obj=contract, before=old,
                 after={**new, "terms_acceptance": audit.snapshot(acceptance)})
    return contract


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
                f"Rétractation refusée : le délai a pris fin le {ends[0]:%d/%m/%Y}. {ends[2]}".strip(),
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
                    f"{limit[0]:%d/%m/%Y}. {limit[2]} Seul un administrateur peut passer outre, "
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
                f"Fin du contrat refusée : le client pouvait y mettre fin jusqu'au {until:%d/%m/%Y} "
                f"({n} jours francs avant le début) — {clause.summary} ({clause.article}). Il peut "
                "encore reporter son inscription à une session ultérieure.",
            )
    else:
        target = event.moved_to
        if target is None or target.organisation_id != contract.organisation_id:
            raise ValidationError("Choisissez la session ultérieure de report.")
        if target.start_date <= contract.start_date or target.pk == contract.session_id:
            raise RuleRefusal("PRV-D4", f"Le report se fait sur une session ultérieure "
                                        f"(après le {contract.start_date:%d/%m/%Y}) — {clause.article}.")


def _move_to_session(*, actor: Any, contract: Contract, target: TrainingSession) -> None:
    """The contract and its learners move to the later session (seats taken there first)."""
    target = _locked_session(organisation=contract.organisation, session_id=target.pk)
    moving = list(contract.enrolments.exclude(status=Enrolment.Status.CANCELLED).select_related("learner"))
    free = target.capacity - _confirmed_count(target)
    if len(moving) > free:
        raise ValidationError(f"La session du {target.start_date:%d/%m/%Y} n'a que {max(free, 0)} "
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
            f"Ce contrat est « {contract.get_status_display()} » : aucun événement ne peut s'y ajouter."
        )
    as_of = as_of or clock.today()
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
    return event


REFUSING_PAYERS = {
    "opco": "l'OPCO", "faf": "le FAF", "france_travail": "France Travail",
    "cpf": "le CPF (abondement)",
}


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
        raise ValidationError(f"Le refus de {REFUSING_PAYERS[payer]} est déjà enregistré "
                              f"(le {earlier.on:%d/%m/%Y}) ; seul le premier compte.")


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
                                    f"{delivered.on:%d/%m/%Y} — {clause.summary} ({clause.article}).")
    since = _deadline(before, "rescission_from")
    if since is None or event.on < since[0]:
        months = int(clause.get("delay_months"))
        when = (f"elle n'est possible qu'à partir du {since[0]:%d/%m/%Y}. {since[2]}" if since
                else f"la fourniture n'a pas plus de {months} mois calendaires de retard.")
        raise RuleRefusal("PRV-F1", f"Résolution refusée : {when} ({clause.article})".strip())


def _require_event_facts(contract: Contract, event: ContractEvent,
                         recorded: Sequence[ContractEvent] = ()) -> None:
    t = ContractEvent.Type
    if event.type == t.DELIVERY:
        first = next((e for e in recorded if e.type == t.DELIVERY), None)
        if first is not None:
            raise ValidationError(f"La fourniture est déjà enregistrée le {first.on:%d/%m/%Y} : "
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


@transaction.atomic
def contract_from_enrolment(*, actor: Any, enrolment: Enrolment, **fields: Any) -> Contract:
    """A draft convention (learner's employer) or contrat (learner's consumer client) for
    one session enrolment."""
    learner = enrolment.learner
    if enrolment.status == Enrolment.Status.CANCELLED:
        raise ValidationError("Cette inscription est annulée.")
    if Contract.objects.filter(enrolments=enrolment).exclude(
            status__in=[Contract.Status.CANCELLED, Contract.Status.RETRACTED]).exists():
        raise ValidationError("Cette inscription a déjà un contrat.")
    if learner.company_id:
        client: dict[str, Any] = {"client_company": learner.company}
    elif learner.consumer_id:
        client = {"consumer": learner.consumer}
    else:
        raise ValidationError("Ce stagiaire n'est rattaché ni à une entreprise ni à un client "
                              "particulier : complétez sa fiche d'abord.")
    return contract_create(actor=actor, organisation=enrolment.organisation,
                           session=enrolment.session, enrolments=[enrolment], **client, **fields)


# --- quotes (devis) ----------------------------------------------------------------------

@transaction.atomic
def quote_create(
    *,
    actor: Any,
    organisation: Organisation,
    lines: Sequence[Mapping[str, Any]],
    valid_until: date,
    client_company: ClientCompany | None = None,
    consumer: ConsumerClient | None = None,
    session: TrainingSession | None = None,
    vat_rate: Decimal = Decimal("0"),
) -> Quote:
    """A quote with its lines (description, quantity, unit_price excl. VAT) and validity."""
    if (client_company is None) == (consumer is None):
        raise ValidationError("Un devis a un client : une entreprise ou un particulier.")
    for related in (client_company, consumer, session):
        if related is not None and related.organisation_id != organisation.pk:
            raise ValidationError("Cet élément appartient à un autre organisme.")
    if not lines:
        raise ValidationError("Un devis a au moins une ligne.")
    today = clock.today()
    if valid_until < today:
        raise ValidationError("La date de validité est déjà passée.")
    quote = Quote(
        organisation=organisation,
        number=_next_number(Quote, organisation, "DV", today.year),
        client_company=client_company, consumer=consumer, session=session,
        issued_on=today, valid_until=valid_until, vat_rate=vat_rate,
    )
    quote.full_clean()
    quote.save()
    for data in lines:
        line = QuoteLine(quote=quote, **data)
        line.full_clean(exclude=["quote"])
        if line.quantity <= 0 or line.unit_price < 0:
            raise ValidationError("Quantité positive et prix unitaire non négatif attendus.")
        line.save()
    audit.record(actor=actor, action="quote.create", organisation=organisation, obj=quote,
                 after={**audit.snapshot(quote), "lines": [dict(d) for d in lines],
                        "total_excl_vat": quote.total_excl_vat()})
    return quote


def _quote_transition(*, actor: Any, quote: Quote, allowed: set[str], status: str, action: str,
                      **changes: Any) -> Quote:
    quote = Quote.objects.select_for_update().get(pk=quote.pk)
    if quote.status not in allowed:
        raise ValidationError(f"Ce devis est « {quote.get_status_display()} » : action impossible.")
    before = audit.snapshot(quote)
    quote.status = status
    for name, value in changes.items():
        setattr(quote, name, value)
    quote.save()
    old, new = audit.changed(before, audit.snapshot(quote))
    audit.record(actor=actor, action=action, organisation=quote.organisation, obj=quote,
                 before=old, after=new)
    return quote


@transaction.atomic
def quote_send(*, actor: Any, quote: Quote) -> Quote:
    return _quote_transition(actor=actor, quote=quote, allowed={Quote.Status.DRAFT},
                             status=Quote.Status.SENT, action="quote.send")


@transaction.atomic
def quote_accept(
    *, actor: Any, quote: Quote, accepted_by_name: str, method: str, user: Any = None
) -> Quote:
    """Written acceptance within the validity; the terms in force today are accepted with it."""
    now = clock.now()
    if now.date() > quote.valid_until:
        raise ValidationError(
            f"Devis expiré le {quote.valid_until:%d/%m/%Y} : un nouveau devis est nécessaire."
        )
    if not accepted_by_name.strip():
        raise ValidationError("L'acceptation écrite indique qui accepte.")
    quote = _quote_transition(
        actor=actor, quote=quote, allowed={Quote.Status.SENT}, status=Quote.Status.ACCEPTED,
        action="quote.accept", accepted_at=now, accepted_by_name=accepted_by_name,
        acceptance_method=method,
    )
    organisation = quote.organisation
    if organisation.policy_id:
        try:
            policy = rules_io.policy_for_signature(organisation, organisation.policy_id, now.date())
        except RulesError as exc:
            raise ValidationError(f"Conditions applicables introuvables : {exc}") from exc
        TermsAcceptance.objects.create(
            organisation=organisation, quote=quote, user=user, accepted_by_name=accepted_by_name,
            accepted_at=now, method=method, policy_id=policy.id, policy_version=policy.version,
            policy_sha256=rules_io.policy_sha256(organisation, policy.id, policy.version),
            ip_address=audit.current_ip.get(),
        )
    return quote


@transaction.atomic
def quote_reject(*, actor: Any, quote: Quote) -> Quote:
    return _quote_transition(actor=actor, quote=quote, allowed={Quote.Status.SENT},
                             status=Quote.Status.REJECTED, action="quote.reject")


@transaction.atomic
def quote_convert(*, actor: Any, quote: Quote, **fields: Any) -> Contract:
    """The accepted quote becomes a draft convention / contrat at the quoted price."""
    quote = Quote.objects.select_for_update(of=("self",)).select_related("session__training").get(pk=quote.pk)
    if quote.status != Quote.Status.ACCEPTED:
        raise ValidationError("Seul un devis accepté par écrit devient un contrat.")
    if quote.session is None:
        raise ValidationError("Choisissez d'abord la session du devis.")
    fields.setdefault("price", quote.total_excl_vat())
    fields.setdefault("vat_rate", quote.vat_rate)
    contract = contract_create(
        actor=actor, organisation=quote.organisation, session=quote.session,
        client_company=quote.client_company, consumer=quote.consumer, quote=quote, **fields,
    )
    _quote_transition(actor=actor, quote=quote, allowed={Quote.Status.ACCEPTED},
                      status=Quote.Status.CONVERTED, action="quote.convert")
    return contract


# --- convocations ------------------------------------------------------------------------

@transaction.atomic
def convocation_send(*, actor: Any, contract: Contract, uid_host: str = "ofelia.localhost") -> int:
    """E-mail each confirmed learner of a signed contract their convocation (PDF + .ics).

    Sent once the transaction commits; returns the number of convocations queued.
    """
    from django.core.mail import EmailMessage

    from .documents import convocation_ics, render_convocation_pdf

    if contract.status != Contract.Status.SIGNED:
        raise ValidationError("Seul un contrat signé donne lieu à des convocations.")
    enrolments = list(
        contract.enrolments.filter(status=Enrolment.Status.CONFIRMED).select_related("learner")
    )
    if not enrolments:
        raise ValidationError("Aucun stagiaire confirmé sur ce contrat.")
    ics = convocation_ics(contract, uid_host=uid_host, stamp=clock.now())
    messages = []
    for enrolment in enrolments:
        learner = enrolment.learner
        message = EmailMessage(
            subject=f"Convocation : {contract.title} ({contract.start_date:%d/%m/%Y})",
            body=(
                f"Bonjour {learner.first_name},\n\nVous trouverez ci-joint votre convocation à la "
                f"formation « {contract.title} » et l'invitation à ajouter à votre agenda.\n\n"
                f"{contract.organisation}"
            ),
            to=[learner.email],
        )
        message.attach(f"convocation-{contract.number}.pdf",
                       render_convocation_pdf(contract, learner), "application/pdf")
        message.attach(f"formation-{contract.number}.ics", ics, "text/calendar; method=PUBLISH")
        messages.append(message)
    audit.record(actor=actor, action="contract.convocations_send", organisation=contract.organisation,
                 obj=contract, after={"learners": [e.learner_id for e in enrolments]})
    transaction.on_commit(lambda: [m.send() for m in messages])
    return len(messages)


@transaction.atomic
def session_convocations_send(*, actor: Any, session: TrainingSession,
                              uid_host: str = "ofelia.localhost") -> int:
    """The roster's button: convocations of every signed contract of the session."""
    contracts = Contract.objects.filter(
        session=session, status=Contract.Status.SIGNED,
        enrolments__status=Enrolment.Status.CONFIRMED).distinct()
    sent = sum(convocation_send(actor=actor, contract=c, uid_host=uid_host) for c in contracts)
    if not sent:
        raise ValidationError("Aucun stagiaire confirmé avec un contrat signé sur cette session.")
    return sent
