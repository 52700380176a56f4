"""Quotes (devis): drafting, sending, written acceptance, conversion into a contract."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from ofelia.catalogue.models import Enrolment, TrainingSession
from ofelia.catalogue.seats import enrolment_create
from ofelia.core import audit, clock
from ofelia.core.validators import validate_line_count, validate_vat_rate
from ofelia.organisations.models import ClientCompany, ConsumerClient, Learner, Organisation
from ofelia.rules.errors import RulesError
from ofelia.rules.french import fr_date

from .. import mails, rules_io
from ..models import Contract, Quote, QuoteLine, TermsAcceptance
from ..selectors import live_contract_of_client
from .contracts import _next_number, contract_create


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
    learners: Sequence[Learner] = (),
    workforce: int | None = None,
) -> Quote:
    """A quote with its lines (description, quantity, unit_price excl. VAT) and validity,
    for named learners of the client and/or a head count (the larger one is the workforce)."""
    if (client_company is None) == (consumer is None):
        raise ValidationError("Un devis a un client : une entreprise ou un particulier.")
    for related in (client_company, consumer, session):
        if related is not None and related.organisation_id != organisation.pk:
            raise ValidationError("Cet élément appartient à un autre organisme.")
    if not lines:
        raise ValidationError("Un devis a au moins une ligne.")
    validate_line_count(len(lines))
    validate_vat_rate(vat_rate)
    for learner in learners:
        if learner.organisation_id != organisation.pk:
            raise ValidationError("Ce stagiaire appartient à un autre organisme.")
        if (client_company is not None and learner.company_id != client_company.pk) or (
                consumer is not None and learner.consumer_id != consumer.pk):
            raise ValidationError(f"Stagiaires : {learner} n'est pas un stagiaire de "
                                  f"{client_company or consumer}.")
    if workforce is not None and workforce < 1:
        raise ValidationError("Effectif : au moins un stagiaire.")
    if workforce is not None and workforce < len(learners):
        raise ValidationError(f"Effectif : {workforce} stagiaire(s) annoncé(s) mais "
                              f"{len(learners)} nommé(s) ; l'effectif compte au moins les "
                              "stagiaires nommés.")
    today = clock.today()
    if valid_until < today:
        raise ValidationError("La date de validité est déjà passée.")
    quote = Quote(
        organisation=organisation,
        number=_next_number(Quote, organisation, "DV", today.year),
        client_company=client_company, consumer=consumer, session=session,
        issued_on=today, valid_until=valid_until, vat_rate=vat_rate, workforce=workforce,
    )
    quote.full_clean()
    quote.save()
    quote.learners.set(learners)
    for data in lines:
        line = QuoteLine(quote=quote, **data)
        line.full_clean(exclude=["quote"])
        if line.quantity <= 0 or line.unit_price < 0:
            raise ValidationError("Quantité positive et prix unitaire non négatif attendus.")
        line.save()
    audit.record(actor=actor, action="quote.create", organisation=organisation, obj=quote,
                 after={**audit.snapshot(quote), "lines": [dict(d) for d in lines],
                        "learners": [learner.pk for learner in learners],
                        "total_excl_vat": quote.total_excl_vat()})
    return quote


def _quote_transition(*, actor: Any, quote: Quote, allowed: set[str], status: str, action: str,
                      **changes: Any) -> Quote:
    quote = Quote.objects.select_for_update().get(pk=quote.pk)
    if quote.status not in allowed:
        raise ValidationError(f"Ce devis est « {quote.get_status_display().lower()} » : "
                              "cette action n'est plus possible.")
    before = audit.snapshot(quote)
    quote.status = status
    quote.status_changed_at = clock.now()
    for name, value in changes.items():
        setattr(quote, name, value)
    quote.save()
    old, new = audit.changed(before, audit.snapshot(quote))
    audit.record(actor=actor, action=action, organisation=quote.organisation, obj=quote,
                 before=old, after=new)
    return quote


def quote_recipients(quote: Quote) -> list[str]:
    """Who receives the quote: the company's client contacts with an extranet account (else
    the company's e-mail), or the consumer."""
    return mails.client_recipients(quote)


@transaction.atomic
def quote_send(*, actor: Any, quote: Quote, extranet_url: str = "") -> Quote:
    """The quote is sent: its client is e-mailed (PDF and link to the extranet) on commit."""
    recipients = quote_recipients(quote)
    if not recipients:
        raise ValidationError(f"{quote.client_name} n'a pas d'adresse e-mail : renseignez-la sur "
                              "la fiche du client avant d'envoyer le devis.")
    quote = _quote_transition(actor=actor, quote=quote, allowed={Quote.Status.DRAFT},
                              status=Quote.Status.SENT, action="quote.send")
    mails.quote_sent(quote, to=recipients, extranet_url=extranet_url)
    audit.record(actor=actor, action="quote.mail", organisation=quote.organisation, obj=quote,
                 after={"to": recipients})
    return quote


@transaction.atomic
def quote_accept(
    *, actor: Any, quote: Quote, accepted_by_name: str, method: str, user: Any = None
) -> Quote:
    """Written acceptance within the validity; the terms in force today are accepted with it."""
    now = clock.now()
    current = Quote.objects.get(pk=quote.pk)
    if current.status != Quote.Status.SENT:
        raise ValidationError(f"Ce devis est « {current.get_status_display().lower()} » : "
                              "il ne peut plus être accepté.")
    if now.date() > quote.valid_until:
        raise ValidationError(
            f"Devis expiré le {fr_date(quote.valid_until)} : un nouveau devis est nécessaire."
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
def quote_reject(*, actor: Any, quote: Quote, reason: str = "") -> Quote:
    """The client declines the quote (in the extranet, or staff record it), with an optional
    reason."""
    return _quote_transition(actor=actor, quote=quote, allowed={Quote.Status.SENT},
                             status=Quote.Status.REJECTED, action="quote.reject",
                             decline_reason=reason.strip()[:2000])


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
    session = quote.session
    existing = live_contract_of_client(session=session, client_company=quote.client_company,
                                       consumer=quote.consumer)
    if existing is not None:
        raise ValidationError(
            f"{existing} existe déjà pour {quote.client_name} sur cette session : un client n'a "
            "qu'une convention par session ; ajoutez-y les stagiaires depuis la session.")
    # The named learners are enrolled on the session (seats through catalogue.seats).
    enrolments = []
    for learner in quote.learners.all():
        enrolment = Enrolment.objects.filter(session=session, learner=learner).exclude(
            status=Enrolment.Status.CANCELLED).first()
        if enrolment is None:
            enrolment = enrolment_create(actor=actor, organisation=quote.organisation,
                                         session=session, learner=learner)
        if enrolment.status != Enrolment.Status.CONFIRMED:
            raise ValidationError(f"La session du {fr_date(session.start_date)} est complète : "
                                  f"{learner} serait en liste d'attente. Choisissez une autre "
                                  "session ou libérez une place.")
        enrolments.append(enrolment)
    fields.setdefault("workforce", max(quote.workforce or 0, len(enrolments), 1))
    contract = contract_create(
        actor=actor, organisation=quote.organisation, session=session,
        client_company=quote.client_company, consumer=quote.consumer, quote=quote,
        enrolments=enrolments, **fields,
    )
    _quote_transition(actor=actor, quote=quote, allowed={Quote.Status.ACCEPTED},
                      status=Quote.Status.CONVERTED, action="quote.convert")
    return contract
