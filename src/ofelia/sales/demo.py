"""Demo business data, part 2: enrolments, quotes, signed contracts and a flow event.

Through the sales services, with the clock set back where a step happened in the past (a
contract is signed weeks before its session), so the terms in force, the acceptance and
the audit log are what they would have been.

Idempotent per organisation: when a contract or a quote already exists on one of its demo
sessions, nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction

from ofelia.catalogue.demo import DemoCatalogue
from ofelia.catalogue.models import Enrolment, TrainingSession
from ofelia.core import clock
from ofelia.organisations.models import ClientCompany, Learner, Organisation
from ofelia.rules.errors import RulesError
from ofelia.rules.french import fr_date

from . import rules_io, services
from .documents import PAYMENT_CLAUSES, clause_texts
from .mentions import CONTRAT, CONVENTION
from .models import Contract, ContractEvent, Quote, TermsAcceptance

DEMO_PO_PREFIX = "DEMO-"  # client purchase-order reference: marks the demo conventions


@dataclass
class DemoSales:
    """What the billing loader needs."""

    organisation: Organisation
    # Signed on the finished session: the demo client company, a second employer, then the
    # private learner's contrat (or a third employer's convention).
    finished: list[Contract] = field(default_factory=list)
    cancelled: Contract | None = None
    quotes: list[Quote] = field(default_factory=list)


# Terms without a payment clause (Mi4's CGU): the demo contracts state their own.
PAYMENT_TERMS = ("Paiement à réception de la facture, par virement, sans escompte "
                 "(conditions particulières du contrat).")


def _terms(organisation: Organisation, kind: str) -> dict[str, str]:
    """The payment terms printed on the contract: blank lets contract_create take the
    clauses it knows for this kind of contract; else the terms' own payment clause (LA
    PORTE's PAY-L1 on a convention, VIRTUALEO's PAY-V1), else a stated default."""
    if clause_texts(organisation, organisation.policy_id, clock.today(), kind, PAYMENT_CLAUSES):
        return {}
    try:
        policy = rules_io.policy_for_signature(organisation, organisation.policy_id, clock.today())
    except RulesError:
        return {"payment_terms": PAYMENT_TERMS}
    pay = next(iter(policy.clauses_of("PAY-")), None)
    if pay is None:
        return {"payment_terms": PAYMENT_TERMS}
    return {"payment_terms": f"{pay.summary} ({policy.document}, {pay.article})"}


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0))


def vat_rate(organisation: Organisation) -> Decimal:
    return Decimal("20") if organisation.vat_status == Organisation.VatStatus.SUBJECT else Decimal("0")


def rules_cover(contract: Contract) -> bool:
    """Whether the organisation's terms have training-contract clauses the rules core can
    evaluate (Mi4's CGU have none: no flow event, invoices from the contract's price)."""
    try:
        rules_io.evaluate_contract(contract, as_of=clock.today(), events=[], funding=[])
    except RulesError:
        return False
    return True


def _has_sales(catalogue: DemoCatalogue) -> bool:
    ids = [s.pk for triple in catalogue.sessions for s in triple]
    return (Contract.objects.for_organisation(catalogue.organisation).filter(session_id__in=ids).exists()
            or Quote.objects.for_organisation(catalogue.organisation).filter(session_id__in=ids).exists())


def _enrolments(session: TrainingSession, learners: list[Learner]) -> list[Enrolment]:
    return list(Enrolment.objects.filter(session=session, learner__in=learners,
                                         status=Enrolment.Status.CONFIRMED).order_by("id"))


def _convention(catalogue: DemoCatalogue, session: TrainingSession, company: ClientCompany,
                learners: list[Learner], signed: date, tag: str) -> Contract:
    organisation = catalogue.organisation
    enrolments = _enrolments(session, learners)
    with clock.frozen(at(signed)):
        contract = services.contract_create(
            actor=None, organisation=organisation, session=session, client_company=company,
            enrolments=enrolments, price=session.training.price_excl_vat * len(enrolments),
            vat_rate=vat_rate(organisation), purchase_order_ref=f"{DEMO_PO_PREFIX}{tag}",
            **_terms(organisation, CONVENTION))
        return services.contract_sign(
            actor=None, contract=contract, method=TermsAcceptance.Method.SIGNED_DOCUMENT,
            accepted_by_name=company.contact_name or company.name)


def _contrat(catalogue: DemoCatalogue, session: TrainingSession, signed: date) -> Contract:
    learner = catalogue.consumer_learner
    assert learner is not None and learner.consumer is not None
    consumer = learner.consumer
    with clock.frozen(at(signed, 20)):
        contract = services.contract_create(
            actor=None, organisation=catalogue.organisation, session=session, consumer=consumer,
            enrolments=_enrolments(session, [learner]), vat_rate=vat_rate(catalogue.organisation),
            **_terms(catalogue.organisation, CONTRAT))
        return services.contract_sign(
            actor=None, contract=contract, method=TermsAcceptance.Method.ONLINE_CHECKBOX,
            accepted_by_name=f"{consumer.first_name} {consumer.last_name}", user=consumer.user)


def _quote(catalogue: DemoCatalogue, session: TrainingSession, learners: int, send: bool) -> Quote:
    training = session.training
    lines: list[dict[str, Any]] = [{
        "description": f"{training.title} — session du {fr_date(session.start_date)}, "
                       f"{learners} stagiaire(s)",
        "quantity": Decimal(learners), "unit_price": training.price_excl_vat}]
    quote = services.quote_create(
        actor=None, organisation=catalogue.organisation, client_company=catalogue.company,
        session=session, lines=lines, valid_until=clock.today() + timedelta(days=30),
        vat_rate=vat_rate(catalogue.organisation))
    return services.quote_send(actor=None, quote=quote) if send else quote


@transaction.atomic
def load_sales(catalogue: DemoCatalogue) -> DemoSales | None:
    """Rosters, contracts, quotes and a client cancellation; None when already there."""
    if _has_sales(catalogue):
        return None
    organisation = catalogue.organisation
    for session, learners in catalogue.rosters:
        for learner in learners:
            services.enrolment_create(actor=None, organisation=organisation, session=session,
                                      learner=learner)
    sales = DemoSales(organisation=organisation)
    finished = catalogue.sessions[0][0]
    company_b, company_c = catalogue.others[0], catalogue.others[1]
    employees = [e.learner for e in finished.enrolments.select_related("learner")]
    signed = finished.start_date - timedelta(days=21)
    for tag, company in (("A", catalogue.company), ("B", company_b)):
        staff = [x for x in employees if x.company_id == company.pk]
        sales.finished.append(_convention(catalogue, finished, company, staff, signed, tag))
    if catalogue.consumer_learner is not None:
        # Signed a month before, so the retraction period is over when the training starts.
        sales.finished.append(_contrat(catalogue, finished, finished.start_date - timedelta(days=30)))
    else:
        staff = [x for x in employees if x.company_id == company_c.pk]
        sales.finished.append(_convention(catalogue, finished, company_c, staff, signed, "C"))
    # A convention on the next session of the second training, cancelled by the client
    # yesterday: the terms' cancellation clause computes the fee (or says none is due).
    if len(catalogue.sessions) > 1 and rules_cover(sales.finished[0]):
        soon = catalogue.sessions[1][1]
        today = clock.today()
        staff = [e.learner for e in soon.enrolments.select_related("learner")
                 if e.learner.company_id == company_c.pk]
        contract = _convention(catalogue, soon, company_c, staff, today - timedelta(days=10), "X")
        services.contract_event_record(
            actor=None, contract=contract, type=ContractEvent.Type.CANCELLATION,
            on=today - timedelta(days=1), by=ContractEvent.By.CLIENT,
            reason=ContractEvent.Reason.OTHER,
            note="Le client reporte le projet à l'an prochain (annulation écrite par courriel).")
        contract.refresh_from_db()
        sales.cancelled = contract
    # A quote being prepared and one sent, for sessions to come.
    sales.quotes.append(_quote(catalogue, catalogue.sessions[0][2], 2, send=False))
    last = catalogue.sessions[-1][2]
    sales.quotes.append(_quote(catalogue, last, 3, send=True))
    return sales


def sales_summary(organisation: Organisation) -> dict[str, int]:
    contracts = Contract.objects.for_organisation(organisation)
    return {
        "contracts": contracts.exclude(status=Contract.Status.DRAFT).count(),
        "quotes": Quote.objects.for_organisation(organisation).count(),
    }
