"""Reads: the policy versions an organisation can use (its own, then the shipped ones)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from ofelia.policies import load_shipped, shipped_policy_ids
from ofelia.rules.errors import PolicyError
from ofelia.rules.policy import Policy, parse_policy

from .models import PolicyVersion


@lru_cache(maxsize=256)
def _parsed(source: str) -> Policy:
    # Accepted sources never change (sha256 kept); parsing once per process is enough.
    return parse_policy(source)


def policy_version_list(*, organisation: Any) -> Any:
    return PolicyVersion.objects.for_organisation(organisation)


def policy_ids_for(*, organisation: Any) -> list[str]:
    """The organisation's own policy ids, then the shipped examples."""
    own = policy_version_list(organisation=organisation).values_list("policy_id", flat=True)
    return sorted(set(own) | set(shipped_policy_ids()))


def policy_versions_for(*, organisation: Any, policy_id: str) -> tuple[Policy, ...]:
    """Every version of `policy_id` this organisation can use, oldest first.

    The organisation's versions come first in authority: one with the same version name as
    a shipped one replaces it. The shipped versions remain the fallback for earlier dates.
    """
    own = [_parsed(row.source) for row in
           policy_version_list(organisation=organisation).filter(policy_id=policy_id)]
    try:
        shipped = list(load_shipped(policy_id))
    except PolicyError:
        if not own:
            raise
        shipped = []
    names = {p.version for p in own}
    merged = own + [p for p in shipped if p.version not in names]
    return tuple(sorted(merged, key=lambda p: (p.effective_from, p.version)))


def policy_source_for(*, organisation: Any) -> Callable[[str], Sequence[Policy]]:
    """The `policies` argument of `ofelia.rules.simulate.simulate` for this organisation."""

    def versions(policy_id: str) -> Sequence[Policy]:
        return policy_versions_for(organisation=organisation, policy_id=policy_id)

    return versions


def simulate_for(*, organisation: Any, case: Any, today: Any) -> dict[str, Any]:
    """The outcome of a case under this organisation's policies: the same engine, the same
    figures as `ofelia simulate` (raises the core's errors, see `problem_for`)."""
    from ofelia.legal.selectors import legal_data
    from ofelia.rules.simulate import simulate

    return simulate(case, today=today, policies=policy_source_for(organisation=organisation),
                    legal=legal_data())


def outcome_for(*, organisation: Any, case: Any, today: Any,
                source: Callable[[str], Sequence[Policy]] | None = None, legal: Any = None) -> Any:
    """The typed `Outcome` (charges with their `vat`, refunds...) of a case under this
    organisation's policies: what billing reads, the same evaluation as `simulate_for`
    without the JSON step. `source` is a bound `policy_source_for` a batch job reuses."""
    from ofelia.legal.selectors import legal_data
    from ofelia.rules.simulate import evaluate_case

    outcome, _as_of = evaluate_case(
        case, today=today, policies=source or policy_source_for(organisation=organisation),
        legal=legal if legal is not None else legal_data())
    return outcome


def problem_for(exc: Exception) -> dict[str, Any]:
    """An RFC 9457 problem document (French) for an error of the rules core."""
    from ofelia.rules.errors import CaseError, MissingLegalData, RulesError

    if isinstance(exc, CaseError):
        doc = {"type": "https://ofelia.fr/problems/invalid-case", "title": "Cas invalide",
               "status": 400, "detail": exc.message, "field": exc.path or None}
        if exc.rule:
            doc["rule"] = exc.rule
        return doc
    if isinstance(exc, MissingLegalData):
        # The case is valid, the product lacks a dated legal value: 422 with its own type
        # and `missing` naming the value (`ofelia simulate` exits 3), see docs/simulation.md.
        return {"type": "https://ofelia.fr/problems/missing-legal-data",
                "title": "Donnée légale manquante", "status": 422, "detail": str(exc), "field": None,
                "missing": exc.what}
    if isinstance(exc, PolicyError):
        return {"type": "https://ofelia.fr/problems/invalid-policy", "title": "Politique inutilisable",
                "status": 422, "detail": str(exc), "field": None}
    if isinstance(exc, RulesError):
        return {"type": "https://ofelia.fr/problems/invalid-case", "title": "Cas invalide",
                "status": 400, "detail": str(exc), "field": None}
    raise TypeError(f"not an error of the rules core: {exc!r}")
