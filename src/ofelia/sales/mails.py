"""Sales' e-mails, each sent through `ofelia.notifications.notify` where its event commits:
quote sent, contract confirmed (terms and, for a consumer, the retraction form), retraction
acknowledged, convocations."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.template.loader import render_to_string

from ofelia.core import clock
from ofelia.notifications.services import notify
from ofelia.rules.french import fr_date
from ofelia.rules.money import fmt_eur

from .models import CONVENTION, Contract, Quote


def client_recipients(deal: Quote | Contract) -> list[str]:
    """A quote's or contract's client: the company's client contacts with an extranet account
    (else the company's e-mail), or the consumer."""
    from ofelia.organisations.models import Membership, Role

    if deal.consumer is not None:
        return [deal.consumer.email] if deal.consumer.email else []
    company = deal.client_company
    if company is None:
        return []
    contacts = sorted({email for email in Membership.objects.filter(
        organisation=deal.organisation, role=Role.CLIENT_CONTACT, company=company,
        is_active=True).values_list("user__email", flat=True) if email})
    return contacts or ([company.email] if company.email else [])


def _amount(total_excl: Any, total_incl: Any, consumer: bool) -> str:
    # A consumer reads the price VAT included (Code de la consommation L112-1).
    return f"{fmt_eur(total_incl)} TTC" if consumer else f"{fmt_eur(total_excl)} HT"


def quote_sent(quote: Quote, *, to: list[str], extranet_url: str) -> None:
    from .documents import render_quote_pdf

    notify(organisation=quote.organisation, kind="quote_sent", to=to, about=quote, context={
        "number": quote.number, "valid_until": f"{fr_date(quote.valid_until)}",
        "amount": _amount(quote.total_excl_vat(), quote.total_incl_vat(), quote.consumer_id is not None),
        "link": extranet_url},
        attachments=[(f"devis-{quote.number}.pdf", render_quote_pdf(quote), "application/pdf")])


def retraction_form_pdf(organisation: Any) -> bytes:
    """The model retraction form (Code de la consommation, annexe à l'article R221-1)."""
    from weasyprint import HTML

    html = render_to_string("sales/pdf/retraction_form.html", {"organisation": organisation})
    return HTML(string=html).write_pdf()  # type: ignore[no-any-return]


def _retraction_until(contract: Contract) -> str:
    from ofelia.rules.errors import RulesError

    from . import rules_io

    try:
        ends = rules_io.evaluate_contract(contract, as_of=contract.signed_on or clock.today()).get(
            "deadlines", {}).get("retraction_ends")
    except RulesError:
        return ""
    return f"{fr_date(date.fromisoformat(ends))}" if isinstance(ends, str) else ""


def terms_pdf_of(pk: int) -> bytes:
    """The terms version a contract was signed under, as PDF (made by the mail task)."""
    from ofelia.simulator.terms_views import terms_pdf_bytes

    contract = Contract.objects.select_related("organisation").get(pk=pk)
    return terms_pdf_bytes(contract.organisation.slug, contract.policy_version)[1]


def contract_confirmed(contract: Contract) -> None:
    from .documents import render_contract_pdf

    consumer = contract.kind != CONVENTION
    total_incl = contract.price + contract.vat_amount
    files: list[Any] = [(f"{contract.number}.pdf", render_contract_pdf(contract), "application/pdf")]
    if contract.policy_version:  # the terms signed, readable without the extranet (L221-13)
        files.append((f"conditions-generales-{contract.policy_version}.pdf",
                      "ofelia.sales.mails.terms_pdf_of", contract.pk, "application/pdf"))
    if consumer:
        files.append(("formulaire-retractation.pdf", retraction_form_pdf(contract.organisation),
                      "application/pdf"))
    notify(organisation=contract.organisation, kind="contract_confirmed",
           to=client_recipients(contract), about=contract, attachments=files, context={
               "document": "contrat de formation" if consumer else "convention de formation",
               "number": contract.number, "title": contract.title,
               "start_date": f"{fr_date(contract.start_date)}",
               "end_date": f"{fr_date(contract.end_date)}",
               "amount": _amount(contract.price, total_incl, consumer),
               "retraction_until": _retraction_until(contract) if consumer else ""})


def retraction_acknowledged(contract: Contract, *, on: date) -> None:
    notify(organisation=contract.organisation, kind="retraction_ack",
           to=client_recipients(contract), about=contract,
           context={"number": contract.number, "title": contract.title, "on": f"{fr_date(on)}"})


def convocation(contract: Contract, learner: Any, *, ics: str) -> None:
    from .documents import render_convocation_pdf

    notify(organisation=contract.organisation, kind="convocation", to=learner.email,
           about=contract, context={"first_name": learner.first_name, "title": contract.title,
                                    "start_date": f"{fr_date(contract.start_date)}"},
           attachments=[(f"convocation-{contract.number}.pdf",
                         render_convocation_pdf(contract, learner), "application/pdf"),
                        (f"formation-{contract.number}.ics", ics.encode(),
                         "text/calendar; method=PUBLISH")])
