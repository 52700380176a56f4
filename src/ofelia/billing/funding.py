"""Funding plans: who pays what for a contract, read from the rules core's outcome.

Who owes what is never computed here: the contract's facts go to the rules core through
`ofelia.sales.rules_io` (the same door as `ofelia simulate`), and the outcome's charge lines
per payer become invoice lines, each keeping its clause and French explanation.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction

from ofelia.core import audit, clock
from ofelia.rules.errors import RulesError
from ofelia.rules.french import fr_date
from ofelia.rules.money import D, cents
from ofelia.rules.policy import Policy
from ofelia.simulator.terms import policy_terms

from .models import (
    FundingPlan,
)
from .services import BillingError

FUNDER_PAYERS = ("opco", "cpf", "france_travail", "faf", "employer")
PAYER_LABELS = {"client": "Client", "learner": "Stagiaire (reste à charge)", "opco": "OPCO",
                "cpf": "CPF (Caisse des dépôts)", "france_travail": "France Travail",
                "faf": "FAF", "employer": "Employeur"}


@dataclass(frozen=True)
class PlanLine:
    payer: str
    kind: str
    amount: Decimal
    vat: Decimal
    rule: str
    explanation: str
    due_on: date | None


@dataclass(frozen=True)
class Plan:
    outcome: Mapping[str, Any]
    lines: tuple[PlanLine, ...]

    def of(self, payer: str) -> list[PlanLine]:
        return [x for x in self.lines if x.payer == payer]

    def payers(self) -> list[str]:
        return list(dict.fromkeys(x.payer for x in self.lines if x.amount > 0))


def _rules_io() -> Any:
    from ofelia.sales import rules_io

    return rules_io


def plan_of(contract: Any) -> FundingPlan:
    plan = FundingPlan.objects.filter(contract=contract).first()
    return plan or FundingPlan(organisation_id=contract.organisation_id, contract=contract)


def _case_funding(contract: Any, plan: FundingPlan, extra: Iterable[Any] = ()) -> list[Any]:
    entries = [*contract.funding.all(), *extra]
    if not plan.opco_subrogation:
        # Without subrogation the client pays us everything and the OPCO reimburses them.
        entries = [e for e in entries if e.payer != "opco"]
    return entries


def _evaluable(contract: Any, on: date) -> Any:
    if contract.signed_on is not None:
        return contract
    # A draft's funding is checked as if signed today (the terms in force today).
    draft = copy.copy(contract)
    draft.signed_on = on
    return draft


def evaluate(contract: Any, *, as_of: date, extra_funding: Iterable[Any] = ()) -> Mapping[str, Any]:
    """The rules core's outcome for the contract's facts and its funding plan."""
    plan = plan_of(contract)
    try:
        return _rules_io().evaluate_contract(  # type: ignore[no-any-return]
            _evaluable(contract, as_of), as_of=as_of,
            funding=_case_funding(contract, plan, extra_funding))
    except RulesError as exc:
        raise BillingError(str(exc)) from exc


def funding_plan(contract: Any, *, as_of: date) -> Plan:
    """What each payer is invoiced: the outcome's charge lines, grouped by payer."""
    outcome = evaluate(contract, as_of=as_of)
    lines = tuple(
        PlanLine(payer=c["payer"], kind=c["kind"], amount=D(c["amount"]), vat=D(c.get("vat", "0")),
                 rule=c.get("rule", ""), explanation=c.get("explanation", ""),
                 due_on=date.fromisoformat(c["due_on"]) if c.get("due_on") else None)
        for c in outcome.get("charges", [])
    )
    return Plan(outcome=outcome, lines=lines)


def _policy(contract: Any, source: Any = None) -> Policy:
    """The contract's terms, through the one door (the organisation's own versions too)."""
    return policy_terms(organisation=contract.organisation, policy_id=contract.policy_id,
                        version=contract.policy_version or None,
                        on=contract.signed_on or clock.today(), source=source)


@transaction.atomic
def funding_entry_add(
    *,
    actor: Any,
    contract: Any,
    payer: str,
    amount: Decimal | str | None = None,
    agreement_on: date | None = None,
    rights: Decimal | str | None = None,
    exempt: bool = False,
    requested_on: date | None = None,
    subrogation: bool | None = None,
    funder_name: str = "",
    funder_address: str = "",
    funder_siret: str = "",
    today: date | None = None,
) -> Any:
    """Add a payer to the contract; the rules core checks it before anything is written."""
    from ofelia.sales.models import FundingEntry

    today = today or clock.today()
    if payer not in FUNDER_PAYERS:
        raise BillingError(f"Financeur inconnu : {payer}.")
    if contract.funding.filter(payer=payer).exists():
        raise BillingError(f"Ce contrat a déjà un financement « {PAYER_LABELS[payer]} ».")
    if payer in ("opco", "employer") and (amount is None or D(amount) <= 0):
        raise BillingError(f"Indiquez le montant pris en charge par {PAYER_LABELS[payer]} (HT).")
    if payer == "cpf" and (rights is None or D(rights) < 0):
        raise BillingError("Indiquez les droits CPF disponibles du stagiaire (montant HT).")
    if payer == "france_travail" and requested_on is None:
        raise BillingError("Indiquez la date de la demande d'abondement à France Travail (FUN-L2).")
    entry = FundingEntry(
        contract=contract, payer=payer,
        amount=cents(amount) if amount is not None else None, agreement_on=agreement_on,
        rights=cents(rights) if rights is not None else None, exempt=exempt,
        requested_on=requested_on,
    )
    outcome = evaluate(contract, as_of=today, extra_funding=[entry])
    if payer == "france_travail":
        latest = outcome.get("deadlines", {}).get("france_travail_request_by")
        if latest and requested_on is not None and requested_on > date.fromisoformat(latest):
            clause = _policy(contract).clause("FUN-L2")
            where = f" ({clause.article})" if clause else ""
            raise BillingError(
                f"Abondement France Travail refusé (FUN-L2{where}) : la demande du "
                f"{fr_date(requested_on)} est postérieure à la date limite du "
                f"{fr_date(date.fromisoformat(latest))}, 21 jours ouvrés avant le début de la "
                "formation.")
    entry.save()
    plan = plan_of(contract)
    if subrogation is not None and payer == "opco":
        plan.opco_subrogation = subrogation
    if payer == "opco" and requested_on is not None:
        plan.opco_requested_on = requested_on
    if funder_name:
        plan.funder_names = {**plan.funder_names, payer: {
            "name": funder_name, "address": funder_address, "siret": funder_siret}}
    plan.save()
    audit.record(actor=actor, action="funding.add", organisation=contract.organisation, obj=contract,
                 after={"payer": payer, "amount": entry.amount, "rights": entry.rights,
                        "exempt": exempt, "requested_on": requested_on,
                        "agreement_on": agreement_on, "subrogation": plan.opco_subrogation})
    _settle_on_commit(contract, actor)
    return entry


def _settle_on_commit(contract: Any, actor: Any) -> None:
    """Who pays what changed: settlement updates the contract's drafts once committed."""
    if contract.signed_on is None:
        return
    from .receivers import settle_after

    transaction.on_commit(lambda: settle_after(contract=contract, actor=actor))
