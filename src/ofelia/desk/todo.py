"""What the office has to do today: one list per subject, each asking the app that owns it.

Nothing is stored here: every row is read from the selectors of sales, billing, privacy
and support, so the home page and those apps' own pages never disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.urls import reverse

from ofelia.rules.french import fr_instant
from ofelia.rules.money import fmt_eur

SHOWN = 5  # rows named under each heading; the count says how many there are in all
QUOTE_FOLLOW_UP_DAYS = 7  # a sent quote without answer for a week deserves a call
CONVOCATION_WINDOW_DAYS = 7
OPCO_WINDOW_DAYS = 60


@dataclass(frozen=True)
class Row:
    text: str
    url: str
    note: str = ""
    urgent: bool = False


@dataclass(frozen=True)
class Todo:
    key: str
    title: str
    empty: str
    count: int
    rows: Sequence[Row] = field(default_factory=tuple)
    more_url: str = ""


def _fr(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else "—"


def quotes_to_follow_up(*, organisation: Any, today: date) -> Todo:
    """Quotes sent and still unanswered a week later, or whose validity ends within a week."""
    from django.db.models import Q

    from ofelia.sales.models import Quote

    week_ago = today - timedelta(days=QUOTE_FOLLOW_UP_DAYS)
    qs = (Quote.objects.for_organisation(organisation).filter(status=Quote.Status.SENT)
          .filter(Q(issued_on__lte=week_ago) | Q(valid_until__lte=today + timedelta(days=7)))
          .select_related("client_company", "consumer").order_by("valid_until", "id"))
    rows = []
    for quote in qs[:SHOWN]:
        client = quote.client_company or quote.consumer
        expired = quote.valid_until < today
        note = (f"expiré le {_fr(quote.valid_until)}" if expired
                else f"envoyé le {_fr(quote.issued_on)}, valable jusqu'au {_fr(quote.valid_until)}")
        rows.append(Row(f"Devis {quote.number} — {client}", reverse("sales:quote-detail", args=[quote.pk]),
                        note, urgent=expired))
    return Todo("quotes", "Devis à relancer", "Aucun devis en attente de réponse depuis plus d'une semaine.",
                qs.count(), rows, reverse("sales:pipeline"))


def contracts_unsigned(*, organisation: Any, today: date) -> Todo:
    """Conventions and contracts still unsigned whose training has not started."""
    from ofelia.sales.models import Contract

    qs = (Contract.objects.for_organisation(organisation)
          .filter(status=Contract.Status.DRAFT, start_date__gte=today)
          .select_related("client_company", "consumer").order_by("start_date", "id"))
    rows = []
    for contract in qs[:SHOWN]:
        days = (contract.start_date - today).days
        rows.append(Row(f"{contract.get_kind_display()} {contract.number} — {contract.title}",
                        reverse("sales:contract-detail", args=[contract.pk]),
                        f"début le {_fr(contract.start_date)}", urgent=days <= 7))
    return Todo("unsigned", "Conventions et contrats à faire signer",
                "Aucun contrat non signé pour une formation à venir.", qs.count(), rows)


def sessions_without_convocations(*, organisation: Any, today: date) -> Todo:
    """Signed contracts of sessions starting within 7 days whose learners were not convoked."""
    from ofelia.core.models import AuditEntry
    from ofelia.sales.models import Contract

    window = today + timedelta(days=CONVOCATION_WINDOW_DAYS)
    signed = list(Contract.objects.for_organisation(organisation)
                  .filter(status=Contract.Status.SIGNED, start_date__gte=today, start_date__lte=window)
                  .select_related("session__training").order_by("start_date", "id"))
    convoked = set(AuditEntry.objects.for_organisation(organisation)
                   .filter(action="contract.convocations_send", object_type="sales.contract",
                           object_id__in=[str(c.pk) for c in signed])
                   .values_list("object_id", flat=True))
    sessions: dict[int, Any] = {}
    for contract in signed:
        if str(contract.pk) not in convoked:
            sessions.setdefault(contract.session_id, contract.session)
    rows = [Row(f"{s.training.title} — {_fr(s.start_date)}", reverse("sales:session-roster", args=[s.pk]),
                "convocations à envoyer", urgent=(s.start_date - today).days <= 2)
            for s in list(sessions.values())[:SHOWN]]
    return Todo("convocations", "Sessions des 7 prochains jours sans convocations",
                "Toutes les sessions des 7 prochains jours ont leurs convocations.", len(sessions), rows)


def opco_agreements_missing(*, organisation: Any, today: date) -> Todo:
    """OPCO funding without agreement for a training starting within 60 days, with the
    deadline the terms set (FUN rules) when the contract is signed."""
    from ofelia.rules.errors import RulesError
    from ofelia.sales.models import Contract, FundingEntry
    from ofelia.sales.rules_io import contract_case
    from ofelia.simulator.selectors import outcome_for

    qs = (FundingEntry.objects.filter(
        contract__organisation=organisation, payer=FundingEntry.Payer.OPCO, agreement_on__isnull=True,
        contract__status__in=[Contract.Status.DRAFT, Contract.Status.SIGNED],
        contract__start_date__gte=today, contract__start_date__lte=today + timedelta(days=OPCO_WINDOW_DAYS))
        .select_related("contract").order_by("contract__start_date", "id"))
    rows = []
    for entry in qs[:SHOWN]:
        contract = entry.contract
        note, urgent = f"début le {_fr(contract.start_date)}", False
        if contract.signed_on is not None:
            try:
                outcome = outcome_for(organisation=organisation, today=today,
                                      case=contract_case(contract, as_of=today))
            except RulesError:
                outcome = None
            by = outcome.deadlines.get("opco_agreement_by") if outcome else None
            if isinstance(by, date):
                rule = outcome.deadline_reasons.get("opco_agreement_by", ("", ""))[0]
                note = f"accord attendu au plus tard le {_fr(by)}" + (f" ({rule})" if rule else "")
                urgent = by <= today + timedelta(days=7)
        rows.append(Row(f"{contract.number} — {contract.title}",
                        reverse("sales:contract-detail", args=[contract.pk]), note, urgent))
    return Todo("opco", "Accords OPCO attendus", "Aucun accord OPCO attendu dans les 60 prochains jours.",
                qs.count(), rows)


def invoices_overdue(*, organisation: Any, today: date) -> Todo:
    from ofelia.billing.selectors import overdue_invoices

    overdue = overdue_invoices(organisation=organisation, today=today)
    rows = [Row(f"Facture {inv.number} — {inv.buyer_name}", reverse("billing:invoice-detail", args=[inv.pk]),
                f"{fmt_eur(amount)} en retard de {days} jour{'s' if days > 1 else ''}", urgent=days > 30)
            for inv, amount, days in overdue[:SHOWN]]
    total = sum((amount for _, amount, _ in overdue), Decimal("0.00"))
    title = "Factures en retard" + (f" ({fmt_eur(total)})" if overdue else "")
    return Todo("overdue", title, "Aucune facture en retard.", len(overdue), rows,
                reverse("billing:receivables"))


def requests_to_answer(*, organisation: Any, today: date) -> Todo:
    """Personal-data requests (RGPD deadline) and support tickets (SUP-1 deadlines)."""
    from ofelia.core import clock
    from ofelia.privacy.selectors import data_request_list
    from ofelia.support.selectors import staff_queue

    requests = list(data_request_list(organisation=organisation, open_only=True))
    tickets = staff_queue(organisation=organisation)
    rows = [Row(f"Demande « {r.get_right_display()} »", reverse("privacy:request-detail", args=[r.pk]),
                f"réponse due le {_fr(r.answer_by)}", urgent=r.answer_by is not None and r.answer_by <= today)
            for r in requests[:SHOWN]]
    now = clock.now()
    for ticket in tickets[:max(SHOWN - len(rows), 0)]:
        deadline = ticket.next_deadline
        note = (f"prochaine échéance le {fr_instant(deadline.astimezone(clock.PARIS))}"
                if deadline else "sans échéance")
        rows.append(Row(f"Ticket n° {ticket.pk} — {ticket.subject}", reverse("support:ticket", args=[ticket.pk]),
                        note, urgent=deadline is not None and deadline <= now))
    return Todo("requests", "Demandes à traiter", "Aucune demande ni aucun ticket en attente.",
                len(requests) + len(tickets), rows)


def staff_todo(*, organisation: Any, today: date) -> list[Todo]:
    return [
        quotes_to_follow_up(organisation=organisation, today=today),
        contracts_unsigned(organisation=organisation, today=today),
        sessions_without_convocations(organisation=organisation, today=today),
        opco_agreements_missing(organisation=organisation, today=today),
        invoices_overdue(organisation=organisation, today=today),
        requests_to_answer(organisation=organisation, today=today),
    ]


def month_revenue_chart(*, organisation: Any, today: date) -> tuple[str, Decimal]:
    """This month's revenue excl. VAT per payer (credit notes deducted), as an SVG chart."""
    from ofelia.billing.charts import bar_chart
    from ofelia.billing.selectors import revenue_by_funder

    start = today.replace(day=1)
    rows = revenue_by_funder(organisation=organisation, start=start, end=today)
    total = sum((v for _, v in rows), Decimal("0.00"))
    months = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
              "octobre", "novembre", "décembre"]
    title = f"Chiffre d'affaires HT de {months[today.month - 1]} {today.year} par financeur"
    return (bar_chart(rows, title=title) if rows else ""), total
