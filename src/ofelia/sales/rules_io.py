"""ORM rows ⇄ the rules core: a contract becomes the `training` case of SIMULATION.md.

The real flows and `ofelia simulate` go through the same door: `contract_case` writes the
JSON case a person would type, and `evaluate_contract` hands it to `ofelia.rules.simulate`
with the policy version fixed on the contract. Whatever the staff page shows is therefore
what the simulation of the same facts shows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from ofelia.rules.policy import Policy
from ofelia.simulator import terms
from ofelia.simulator.selectors import simulate_for
from ofelia.simulator.terms import policy_terms

from .models import Contract, ContractEvent, FundingEntry

# ContractEvent types that are events of the training case; an OPCO agreement is not an
# event there but a fact of the funding entry (`agreement_on`).
CASE_EVENT_TYPES = frozenset({
    ContractEvent.Type.RETRACTION,
    ContractEvent.Type.CANCELLATION,
    ContractEvent.Type.ABANDONMENT,
    ContractEvent.Type.PROVIDER_STOP,
    ContractEvent.Type.SCHEDULE_CHANGE,
    # Ofelia's own events (docs/simulation.md): CAN-L1, PRV-F1, PRV-X.
    ContractEvent.Type.FUNDING_REFUSED,
    ContractEvent.Type.DELIVERY,
    ContractEvent.Type.RESCISSION,
    ContractEvent.Type.COMPLAINT,
    ContractEvent.Type.REMOTE_SWITCH,
})


def number(value: Decimal) -> str:
    """A decimal as the case writes it: "21", "12.5", "0" (no exponent, no trailing zeros)."""
    text = format(value.normalize(), "f")
    return text


def money(value: Decimal) -> str:
    return f"{value:.2f}"


def funding_entry(entry: FundingEntry) -> dict[str, Any]:
    payer = entry.payer
    if payer == FundingEntry.Payer.OPCO:
        return {
            "payer": payer,
            "amount": money(entry.amount or Decimal(0)),
            "agreement_on": entry.agreement_on.isoformat() if entry.agreement_on else None,
        }
    if payer == FundingEntry.Payer.CPF:
        return {"payer": payer, "rights": money(entry.rights or Decimal(0)), "exempt": entry.exempt}
    if payer == FundingEntry.Payer.FRANCE_TRAVAIL:
        return {"payer": payer,
                "requested_on": entry.requested_on.isoformat() if entry.requested_on else None}
    if payer == FundingEntry.Payer.EMPLOYER:
        return {"payer": payer, "amount": money(entry.amount or Decimal(0))}
    return {"payer": payer}


def event_entry(event: ContractEvent) -> dict[str, Any] | None:
    """The case event for a contract event; None when the event is not a case event."""
    if event.type == ContractEvent.Type.SCHEDULE_CHOICE and event.choice == ContractEvent.Choice.END:
        # PRV-D4: the client ending the convention after the provider's unilateral change
        # has a legitimate reason — CAN-D1 then charges nothing.
        return {"type": "cancellation", "on": event.on.isoformat(), "by": "client",
                "reason": "legitimate"}
    if event.type not in CASE_EVENT_TYPES:
        return None
    entry: dict[str, Any] = {"type": event.type, "on": event.on.isoformat()}
    if event.type == ContractEvent.Type.CANCELLATION:
        entry["by"] = event.by
        entry["reason"] = event.reason
    if event.type == ContractEvent.Type.ABANDONMENT:
        entry["hours_attended"] = number(event.hours_attended or Decimal(0))
        entry["reason"] = event.reason
    if event.type == ContractEvent.Type.PROVIDER_STOP:
        entry["hours_attended"] = number(event.hours_attended or Decimal(0))
    if event.type == ContractEvent.Type.FUNDING_REFUSED:
        entry["payer"] = event.payer
    return entry


def contract_case(
    contract: Contract,
    *,
    as_of: date,
    events: Iterable[ContractEvent] | None = None,
    funding: Iterable[FundingEntry] | None = None,
) -> dict[str, Any]:
    """The `training` case of the contract's facts (SIMULATION.md), ready for JSON."""
    if contract.signed_on is None:
        raise ValueError("Un contrat non signé n'a pas encore de conditions applicables.")
    recorded = events if events is not None else contract.events.order_by("on", "id")
    entries = funding if funding is not None else contract.funding.all()
    case: dict[str, Any] = {
        "case": "training",
        "policy": contract.policy_id,
        "as_of": as_of.isoformat(),
        "contract": {
            "client": contract.client_kind,
            "format": contract.format,
            "signed_on": contract.signed_on.isoformat(),
            "at_distance": contract.at_distance,
            "price": money(contract.price),
            "vat_rate": number(contract.vat_rate),
            "hours": number(contract.hours),
            "start": contract.start_date.isoformat(),
            "end": contract.end_date.isoformat(),
            "deposit": money(contract.deposit),
        },
        "funding": [funding_entry(e) for e in entries],
        "events": [e for e in (event_entry(ev) for ev in recorded) if e is not None],
    }
    if contract.policy_version:
        case["policy_version"] = contract.policy_version
    if contract.instalments:
        case["instalments"] = contract.instalments
    return case


def evaluate_case(case: Mapping[str, Any], *, organisation: Any, today: date) -> dict[str, Any]:
    """The outcome JSON of a case, exactly as `ofelia simulate` (and the simulation panel,
    which also knows the organisation's own policy versions) computes it."""
    return simulate_for(organisation=organisation, case=case, today=today)


def evaluate_contract(contract: Contract, *, as_of: date, **case_parts: Any) -> dict[str, Any]:
    return evaluate_case(contract_case(contract, as_of=as_of, **case_parts),
                         organisation=contract.organisation, today=as_of)


def contract_policy(contract: Contract) -> Policy:
    """The policy version fixed on the signed contract (own versions first, as evaluation)."""
    return policy_terms(organisation=contract.organisation, policy_id=contract.policy_id,
                        version=contract.policy_version or None,
                        on=contract.signed_on or contract.start_date)


def policy_for_signature(organisation: Any, policy_id: str, on: date) -> Policy:
    """The version in force on the signature day (ACC-4), own versions first."""
    return policy_terms(organisation=organisation, policy_id=policy_id, on=on)


def policy_sha256(organisation: Any, policy_id: str, version: str) -> str:
    """Hash of the policy text accepted: the organisation's own version, else the shipped file."""
    return terms.policy_sha256(organisation=organisation, policy_id=policy_id, version=version)
