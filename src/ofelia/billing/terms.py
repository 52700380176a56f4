"""Payment and late-penalty terms printed on an invoice, read from the policy in force.

The policy file is the single source: its PAY clause gives the delay, its PEN clause the
late-penalty terms. Nothing here computes an amount; collections hands the same clause to
the rules core.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from ofelia.rules.policy import Clause, Policy
from ofelia.rules.training_penalties import PENALTY_RULES, STATUTORY_B2B, late_penalty_clause
from ofelia.rules.training_terms import PAYMENT_RULES, first_clause


@dataclass(frozen=True)
class InvoiceTerms:
    policy_id: str
    policy_version: str
    payment_delay_days: int
    payment_terms: str
    late_penalty_rule: str
    late_penalty_mention: str
    recovery_fee_applies: bool

    def as_fields(self) -> dict[str, Any]:
        return {
            "policy_id": self.policy_id,
            "policy_version": self.policy_version,
            "payment_delay_days": self.payment_delay_days,
            "payment_terms": self.payment_terms,
            "late_penalty_rule": self.late_penalty_rule,
            "late_penalty_mention": self.late_penalty_mention,
            "recovery_fee_applies": self.recovery_fee_applies,
        }


def _applies(clause: Clause, buyer_kind: str) -> bool:
    applies_to = clause.get("applies_to") or {}
    clients = applies_to.get("client") if hasattr(applies_to, "get") else None
    return not clients or buyer_kind in clients


def _first(policy: Policy, prefix: str, buyer_kind: str) -> Clause | None:
    return next((c for c in policy.clauses_of(prefix) if _applies(c, buyer_kind)), None)


def penalty_clause(policy: Policy, *, rule: str, buyer_kind: str) -> Clause | None:
    """The clause an invoice was issued under (its `late_penalty_rule`)."""
    if rule == STATUTORY_B2B.rule:
        return STATUTORY_B2B
    clause = policy.clause(rule) if rule else None
    return clause if clause is not None else _first(policy, "PEN-", buyer_kind)


def terms_from_policy(policy: Policy, *, buyer_kind: str,
                      scope: tuple[str, str] | None = None) -> InvoiceTerms:
    """The payment and late-penalty terms of an invoice to a `buyer_kind` buyer.

    `scope` (client kind, format) is the contract's when the invoice bills one: as in the
    rules core, the contract's clauses govern all its invoices, whoever pays (an OPCO
    paying for a consumer's contract is under the consumer terms); without it, the
    clauses for the buyer's kind. The buyer's kind decides the statutory fallback and the
    40 € fee."""
    if scope is not None:
        clauses = policy.scoped(*scope)
        pay = first_clause(clauses, PAYMENT_RULES)
        terms_pen = first_clause(clauses, PENALTY_RULES)
    else:
        pay = _first(policy, "PAY-", buyer_kind)
        terms_pen = _first(policy, "PEN-", buyer_kind)
    # A professional buyer's invoice must state a late-penalty rate (L441-9): the terms'
    # own, else the statutory one the rules core also charges.
    pen = late_penalty_clause(terms_pen, "professional" if buyer_kind == "professional" else "consumer")
    delay = int(pay.get("invoice_due_days", 0)) if pay else 0
    when = "à réception de la facture" if delay == 0 else f"à {delay} jours date de facture"
    source = f" ({policy.document}, {pay.article})" if pay else ""
    payment_terms = f"Paiement {when}{source}. Pas d'escompte pour paiement anticipé."
    mention = ""
    if pen is not None:
        where = pen.article if pen is STATUTORY_B2B else f"{policy.document}, {pen.article}"
        mention = f"Pénalités de retard : {pen.summary} ({where})"
    fee = bool(pen.get("recovery_fee", False)) if pen else False
    if fee:
        mention += (" Indemnité forfaitaire pour frais de recouvrement due par le client "
                    "professionnel : 40 € (Code de commerce, art. D441-5).")
    return InvoiceTerms(
        policy_id=policy.id,
        policy_version=policy.version,
        payment_delay_days=delay,
        payment_terms=payment_terms,
        late_penalty_rule=pen.rule if pen else "",
        late_penalty_mention=mention,
        recovery_fee_applies=fee and buyer_kind == "professional",
    )


def invoice_terms(*, policy_id: str, buyer_kind: str, on: date, organisation: Any = None,
                  version: str | None = None) -> InvoiceTerms:
    """The terms of an invoice under the organisation's policy (its own versions first,
    through `ofelia.simulator.terms`); without an organisation, the shipped versions."""
    from ofelia.simulator.terms import policy_terms

    policy = policy_terms(organisation=organisation, policy_id=policy_id, version=version, on=on)
    return terms_from_policy(policy, buyer_kind=buyer_kind)
