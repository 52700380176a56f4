"""The documents of a contract: the values printed (checked against the mandatory
mentions), the PDF (WeasyPrint) of the convention, the contrat and the convocation, and
the convocation's calendar file (.ics)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.template.loader import render_to_string

from ofelia.rules.errors import RulesError
from ofelia.rules.french import fr_date
from ofelia.rules.money import fmt_eur

from .mentions import CONTRAT, CONVENTION, mentions_for, require_mentions
from .models import Contract

# Clauses whose summary fills a contract's terms when staff left them blank.
PAYMENT_CLAUSES = {CONVENTION: ("PAY-D2", "PAY-F1"), CONTRAT: ("PAY-D1", "PAY-L1")}
TERMINATION_CLAUSES = {CONVENTION: ("CAN-D1", "CAN-F1"), CONTRAT: ("ABD-D1", "ABD-D2")}


def clause_texts(organisation: Any, policy_id: str, on: date, kind: str,
                 which: dict[str, tuple[str, ...]]) -> str:
    """The summaries of the policy's clauses for this document kind, with their article."""
    from .rules_io import policy_for_signature

    try:
        policy = policy_for_signature(organisation, policy_id, on)
    except RulesError:
        return ""
    client = "professional" if kind == CONVENTION else "consumer"
    lines = []
    for rule in which[kind]:
        clause = policy.clause(rule)
        if clause is not None and clause.summary and _scope_admits(clause, client):
            lines.append(f"{clause.summary} ({clause.article})")
    return "\n".join(lines)


# What the edit form proposes for a blank term: every clause of that subject in the terms
# that applies to this client and format (staff review it before saving).
SUGGESTED_TERMS = {"payment_terms": ("PAY-", "FUN-L3"), "early_termination": ("CAN-", "ABD-")}


def suggested_terms(contract: Contract) -> dict[str, str]:
    """For each blank term of a draft, the summaries of the clauses of the contract's terms
    on that subject that apply to its client and format, article included."""
    from .rules_io import policy_for_signature

    blank = [name for name in SUGGESTED_TERMS if not getattr(contract, name).strip()]
    if not blank:
        return {}
    try:
        policy = policy_for_signature(contract.organisation, contract.policy_id,
                                      contract.created_at.date())
    except RulesError:
        return {}
    suggested = {}
    for name in blank:
        texts = [f"{c.summary} ({c.article})" for rule, c in sorted(policy.clauses.items())
                 if rule.startswith(SUGGESTED_TERMS[name]) and c.summary
                 and c.applies_to(contract.client_kind, contract.format)]
        if texts:
            suggested[name] = "\n".join(texts)
    return suggested


def _scope_admits(clause: Any, client: str) -> bool:
    scope = clause.params.get("applies_to") or {}
    return not scope.get("client") or client in scope["client"]


# Where each mandatory mention is filled: the contract's own fields (its edit form), or, for
# the parties' identity, the organisation's or the client's record.
MENTION_FIELDS: dict[str, tuple[str, ...]] = {
    "title": ("title",), "objectives": ("objectives",), "programme": ("programme",),
    "means": ("means",), "duration": ("hours",), "period": ("start_date", "end_date"),
    "delivery": ("delivery",), "follow_up": ("follow_up",), "assessment": ("assessment",),
    "workforce": ("workforce",), "prerequisites": ("prerequisites",), "trainers": ("trainers",),
    "price": ("price",), "payment_terms": ("payment_terms",),
    "early_termination": ("early_termination",),
}
MENTIONS_ELSEWHERE = {
    "provider_identity": "fiche de l'organisme (raison sociale, SIRET, adresse)",
    "nda_number": "fiche de l'organisme (numéro de déclaration d'activité)",
    "client_identity": "fiche du client",
    "retraction": "texte légal imprimé d'office",
}


def contract_learners(contract: Contract) -> list[Any]:
    """The learners the contract names (live enrolments), in enrolment order."""
    return [e.learner for e in contract.enrolments.all() if e.status != "cancelled"]


def _identity_of_provider(contract: Contract) -> str:
    org = contract.organisation
    if not (org.legal_name and org.siret and org.postal_address):
        return ""
    return f"{org.legal_name}, SIRET {org.siret}, {org.postal_address.replace(chr(10), ', ')}"


def _identity_of_client(contract: Contract) -> str:
    if contract.kind == CONVENTION:
        company = contract.client_company
        if company is None or not company.name:
            return ""
        siret = f", SIRET {company.siret}" if company.siret else ""
        address = company.postal_address.replace("\n", ", ")
        return f"{company.name}{siret}{', ' + address if address else ''}"
    person = contract.consumer
    if person is None or not person.last_name:
        return ""
    address = person.postal_address.replace("\n", ", ")
    return f"{person.get_civility_display()} {person.first_name} {person.last_name}" + (
        f", {address}" if address else ""
    )


def _retraction_text(contract: Contract) -> str:
    if contract.at_distance:
        # Concluded at distance: the consumer code's 14 days (L221-18) are the longer period.
        return (
            "Le stagiaire dispose d'un délai de 14 jours à compter de la conclusion du présent "
            "contrat, conclu à distance, pour se rétracter (Code de la consommation L221-18), "
            "au moyen du formulaire de rétractation ou de toute déclaration dénuée d'ambiguïté ; "
            "aucune somme ne peut être exigée avant la fin du délai de dix jours du Code du "
            "travail (L6353-5 et L6353-6)."
        )
    return (
        "Le stagiaire dispose d'un délai de 10 jours à compter de la signature du présent "
        "contrat pour se rétracter, par lettre recommandée avec avis de réception ; aucune somme "
        "ne peut être exigée avant la fin de ce délai (Code du travail L6353-5 et L6353-6)."
    )


def document_values(contract: Contract) -> dict[str, Any]:
    """Every value the document prints, keyed as the mentions name them."""
    price = fmt_eur(contract.price) + " HT"
    rate = f"{contract.vat_rate.normalize():f}".replace(".", ",")
    if contract.vat_rate and contract.kind == CONTRAT:
        # A consumer reads the price VAT included (Code de la consommation L112-1).
        price = (f"{fmt_eur(contract.price + contract.vat_amount)} TTC, dont TVA {rate} % : "
                 f"{fmt_eur(contract.vat_amount)} ({price})")
    elif contract.vat_rate:
        price += f", TVA {rate} % : {fmt_eur(contract.vat_amount)}"
    else:
        price += " — Exonération de TVA, article 261-4-4° a du CGI"
    period = (
        f"le {fr_date(contract.start_date)}" if contract.start_date == contract.end_date
        else f"du {fr_date(contract.start_date)} au {fr_date(contract.end_date)}"
    )
    return {
        "provider_identity": _identity_of_provider(contract),
        "nda_number": contract.organisation.nda_number,
        "client_identity": _identity_of_client(contract),
        "title": contract.title,
        "objectives": contract.objectives,
        "programme": contract.programme,
        "means": contract.means,
        "duration": f"{contract.hours.normalize():f} heures" if contract.hours else "",
        "period": period,
        "delivery": contract.delivery,
        "follow_up": contract.follow_up,
        "assessment": contract.assessment,
        "workforce": str(contract.workforce) if contract.workforce else "",
        "prerequisites": contract.prerequisites,
        "trainers": contract.trainers,
        "price": price,
        "payment_terms": contract.payment_terms,
        "early_termination": contract.early_termination,
        "retraction": _retraction_text(contract) if contract.kind == CONTRAT else "",
        "learners": [str(learner) for learner in contract_learners(contract)],
    }


def render_contract_pdf(contract: Contract) -> bytes:
    """The convention or contrat as PDF; refused (MissingMention) if a mention is missing."""
    from weasyprint import HTML

    values = document_values(contract)
    require_mentions(contract.kind, values)
    html = render_to_string(
        f"sales/pdf/{contract.kind}.html",
        {"contract": contract, "v": values, "mentions": mentions_for(contract.kind),
         "organisation": contract.organisation,
         # Who accepted it for the client, and when: a signed document says so.
         "acceptance": contract.acceptances.order_by("-accepted_at", "-id").first()
         if contract.signed_on else None},
    )
    return HTML(string=html).write_pdf()  # type: ignore[no-any-return]


def render_convocation_pdf(contract: Contract, learner: Any) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        "sales/pdf/convocation.html",
        {"contract": contract, "learner": learner, "session": contract.session,
         "organisation": contract.organisation},
    )
    return HTML(string=html).write_pdf()  # type: ignore[no-any-return]


def _ics_text(value: str) -> str:
    # RFC 5545 3.3.11: escape backslash, semicolon, comma and newlines.
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\n", "\\n"))


def convocation_ics(contract: Contract, *, uid_host: str, stamp: datetime,
                    day_start: time = time(9, 0), day_end: time = time(17, 0)) -> str:
    """One VEVENT per weekday of the session, in Europe/Paris local time.

    Sessions carry dates, not a daily timetable yet: the hours are the usual day unless given.
    """
    session = contract.session
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Ofelia//Convocation//FR",
             "CALSCALE:GREGORIAN", "METHOD:PUBLISH"]
    day = session.start_date
    while day <= session.end_date:
        if day.weekday() < 5:
            lines += [
                "BEGIN:VEVENT",
                f"UID:session-{session.pk}-{day:%Y%m%d}-{contract.pk}@{uid_host}",
                f"DTSTAMP:{stamp.astimezone(UTC):%Y%m%dT%H%M%SZ}",
                f"DTSTART;TZID=Europe/Paris:{datetime.combine(day, day_start):%Y%m%dT%H%M%S}",
                f"DTEND;TZID=Europe/Paris:{datetime.combine(day, day_end):%Y%m%dT%H%M%S}",
                f"SUMMARY:{_ics_text(contract.title)}",
                f"LOCATION:{_ics_text(session.place)}",
                f"DESCRIPTION:{_ics_text(f'Convocation — {contract.organisation}')}",
                "END:VEVENT",
            ]
        day += timedelta(days=1)
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"


def render_amendment_pdf(amendment: Any) -> bytes:
    """The avenant the client countersigns: what changed, before and after."""
    from weasyprint import HTML

    contract = amendment.contract
    html = render_to_string(
        "sales/pdf/amendment.html",
        {"amendment": amendment, "contract": contract, "organisation": contract.organisation,
         "v": document_values(contract)},
    )
    return HTML(string=html).write_pdf()  # type: ignore[no-any-return]


def quote_terms(quote: Any) -> Any:
    """The version of the organisation's terms that accepting the quote today would accept
    (ACC-4: the version in force on the acceptance day), or None without terms."""
    from ofelia.core import clock

    from .rules_io import policy_for_signature

    organisation = quote.organisation
    if not organisation.policy_id:
        return None
    try:
        return policy_for_signature(organisation, organisation.policy_id, clock.today())
    except RulesError:
        return None


def render_quote_pdf(quote: Any, *, accept_url: str = "") -> bytes:
    """The quote as PDF: both parties, the lines, VAT (or the training exemption), validity,
    learners or head count, the terms and their version, and where to accept."""
    from weasyprint import HTML

    organisation = quote.organisation
    html = render_to_string(
        "sales/pdf/quote.html",
        {"quote": quote, "organisation": organisation, "terms": quote_terms(quote),
         "accept_url": accept_url, "lines": list(quote.lines.all()),
         "learners": [str(learner) for learner in quote.learners.all()],
         "exempt": organisation.vat_status == "training_exempt" and not quote.vat_rate,
         "provider_address": organisation.postal_address.replace("\n", ", ")},
    )
    return HTML(string=html).write_pdf()  # type: ignore[no-any-return]
