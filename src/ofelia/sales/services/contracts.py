"""Contracts (convention / contrat de formation): drafting, updating, signing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from ofelia.catalogue.models import Enrolment, TrainingSession
from ofelia.core import audit, clock
from ofelia.core.validators import validate_vat_rate
from ofelia.organisations.models import (
    ClientCompany,
    ConsumerClient,
    Membership,
    Organisation,
    Role,
)
from ofelia.rules.errors import RulesError
from ofelia.rules.money import cents, fmt_eur

from .. import mails, rules_io, signals
from ..documents import PAYMENT_CLAUSES, TERMINATION_CLAUSES, clause_texts, document_values
from ..mentions import CONVENTION, require_mentions
from ..models import (
    Contract,
    ContractAmendment,
    ContractFormat,
    FundingEntry,
    Quote,
    TermsAcceptance,
)
from ..selectors import live_contract_of_client


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


# Formats sold a seat per learner (the intra-company price is per group).
PER_LEARNER_FORMATS = (ContractFormat.INTER, ContractFormat.ELEARNING)

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
    existing = live_contract_of_client(session=session, client_company=client_company,
                                       consumer=consumer, lock=True)
    if existing is not None:
        raise ValidationError(
            f"{existing} existe déjà pour {client_company or consumer} sur cette session : "
            "un client n'a qu'une convention par session, ajoutez-y les stagiaires (avenant)."
        )
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
    if "price" not in fields and defaults["format"] in PER_LEARNER_FORMATS:
        # An inter-company or e-learning training is priced per learner (a seat each).
        defaults["price"] = cents(training.price_excl_vat * defaults["workforce"])
    validate_vat_rate(defaults.get("vat_rate", 0))
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
    named = contract.enrolments.exclude(status=Enrolment.Status.CANCELLED).count()
    if contract.workforce < max(named, 1):
        raise ValidationError({"workforce": f"Effectif : au moins {max(named, 1)} stagiaire(s), "
                                            f"{named} étant nommé(s) sur le contrat."})
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
    mails.contract_confirmed(contract)
    transaction.on_commit(lambda: signals.contract_signed.send(
        sender=Contract, contract=contract, actor=actor))
    return contract


def _client_of(learner: Any) -> dict[str, Any]:
    if learner.company_id:
        return {"client_company": learner.company}
    if learner.consumer_id:
        return {"consumer": learner.consumer}
    raise ValidationError("Ce stagiaire n'est rattaché ni à une entreprise ni à un client "
                          "particulier : complétez sa fiche d'abord.")


@transaction.atomic
def contract_from_enrolment(*, actor: Any, enrolment: Enrolment, **fields: Any) -> Contract:
    """The contract of one session enrolment: the client's live convention (learner's
    employer) or contrat (learner's consumer client) for that session gains the learner
    (`contract_add_enrolment`); without one, a new draft is made."""
    if enrolment.status == Enrolment.Status.CANCELLED:
        raise ValidationError("Cette inscription est annulée.")
    if Contract.objects.filter(enrolments=enrolment).filter(status__in=LIVE).exists():
        raise ValidationError("Cette inscription a déjà un contrat.")
    client = _client_of(enrolment.learner)
    live = live_contract_of_client(session=enrolment.session, lock=True, **client)
    if live is not None:
        return contract_add_enrolment(actor=actor, contract=live, enrolment=enrolment)
    return contract_create(actor=actor, organisation=enrolment.organisation,
                           session=enrolment.session, enrolments=[enrolment], **client, **fields)


LIVE = (Contract.Status.DRAFT, Contract.Status.SIGNED)


@transaction.atomic
def contract_add_enrolment(*, actor: Any, contract: Contract, enrolment: Enrolment) -> Contract:
    """A learner of the same client joins the live contract of the session.

    The workforce becomes at least the number of named learners; an inter-company training
    (or e-learning) is priced per learner, so its price follows at the contract's own unit
    price. A draft is
    updated in place; a signed contract is amended by an avenant (ContractAmendment), kept
    with the before and after, whose PDF the client countersigns (docs/contracts.md).
    """
    contract = Contract.objects.select_for_update(of=("self",)).select_related(
        "organisation", "client_company", "consumer").get(pk=contract.pk)
    if contract.status not in LIVE:
        raise ValidationError(f"{contract} est « {contract.get_status_display()} » : "
                              "on n'y ajoute plus de stagiaire.")
    if enrolment.organisation_id != contract.organisation_id:
        raise ValidationError("Cette inscription appartient à un autre organisme.")
    if enrolment.session_id != contract.session_id:
        raise ValidationError("Cette inscription ne correspond pas à la session du contrat.")
    if enrolment.status == Enrolment.Status.CANCELLED:
        raise ValidationError("Cette inscription est annulée.")
    if _client_of(enrolment.learner) != (
            {"client_company": contract.client_company} if contract.client_company_id
            else {"consumer": contract.consumer}):
        raise ValidationError(f"{enrolment.learner} n'est pas un stagiaire de {contract.client}.")
    named = list(contract.enrolments.exclude(status=Enrolment.Status.CANCELLED)
                 .values_list("pk", flat=True))
    if enrolment.pk in named:
        raise ValidationError(f"{enrolment.learner} figure déjà sur {contract}.")
    workforce_before, price_before = contract.workforce, contract.price
    workforce_after = max(workforce_before, len(named) + 1)
    price_after = price_before
    if contract.format in PER_LEARNER_FORMATS and workforce_after > workforce_before:
        unit = price_before / max(workforce_before, 1)
        price_after = cents(unit * workforce_after)
    contract.workforce, contract.price = workforce_after, price_after
    contract.save(update_fields=["workforce", "price"])
    contract.enrolments.add(enrolment)
    change = {"learner": str(enrolment.learner), "enrolment": enrolment.pk,
              "workforce": [workforce_before, workforce_after],
              "price": [str(price_before), str(price_after)]}
    if contract.status == Contract.Status.DRAFT:
        audit.record(actor=actor, action="contract.add_learner", organisation=contract.organisation,
                     obj=contract, before={"workforce": workforce_before, "price": price_before},
                     after=change)
        return contract
    the_contract = (f"à la convention {contract.number}" if contract.kind == CONVENTION
                    else f"au contrat {contract.number}")
    amendment = ContractAmendment.objects.create(
        organisation=contract.organisation, contract=contract,
        number=contract.amendments.count() + 1, on=clock.today(), enrolment=enrolment,
        summary=(f"Ajout de {enrolment.learner} {the_contract}. Effectif : {workforce_before} → "
                 f"{workforce_after} stagiaire(s) ; prix HT : {fmt_eur(price_before)} → "
                 f"{fmt_eur(price_after)}."),
        workforce_before=workforce_before, workforce_after=workforce_after,
        price_before=price_before, price_after=price_after,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit.record(actor=actor, action="contract.amend", organisation=contract.organisation,
                 obj=contract, before={"workforce": workforce_before, "price": price_before},
                 after={**change, "amendment": amendment.number})
    transaction.on_commit(lambda: signals.contract_amended.send(
        sender=Contract, contract=contract, amendment=amendment, actor=actor))
    return contract
