"""The simulation entry point: a JSON case in, the outcome JSON of SIMULATION.md out.

`simulate` validates the common fields (`case`, `policy`, `policy_version`, `as_of`),
hands the rest of the case to its family module (`parse_case`, `reference_date`,
`evaluate`), evaluates it under the policy version in force on the case's reference date
(or the version asked) and serialises the outcome. It reads no clock and no file: the
caller supplies today's date, the policy versions and the legal data.

Errors: an invalid case raises `CaseError` naming the field; an unknown policy or
version is a `CaseError` on "policy" / "policy_version"; `MissingLegalData` and a
`PolicyError` of a policy file pass through (the case is fine, the data is not).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from types import ModuleType
from typing import Any

from ofelia.rules.errors import CaseError, PolicyError, RulesError
from ofelia.rules.legal import LegalData
from ofelia.rules.outcome import Outcome, iso, outcome_to_json
from ofelia.rules.policy import Policy, version_in_force, version_named
from ofelia.rules.validation import obj, parse_instant, req_enum

# case kind -> family module (SIMULATION.md)
FAMILIES: Mapping[str, str] = {
    "training": "ofelia.rules.training",
    "learning": "ofelia.rules.learning",
    "virtual_class": "ofelia.rules.classrooms",
    "ticket": "ofelia.rules.tickets",
    "availability": "ofelia.rules.availability",
    "account": "ofelia.rules.accounts",
    "terms_change": "ofelia.rules.accounts",
}
# The common fields are read here; the family module sees `case` (accounts.py serves two
# kinds) and its own fields.
COMMON_FIELDS = ("policy", "policy_version", "as_of")

PolicySource = Callable[[str], Sequence[Policy]]


def case_body(document: Any) -> Any:
    """An example file of the repository wraps the case: {"name", "input", "expect"}."""
    if (type(document) is dict or isinstance(document, Mapping)) and "case" not in document \
            and "input" in document:
        return document["input"]
    return document


def parse_as_of(value: Any, today: date) -> date | datetime:
    """`as_of`: a date, an instant with offset, or absent (today, as the caller says)."""
    if value is None:
        return today
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise CaseError("as_of", f"date invalide « {value} » (format AAAA-MM-JJ)") from None
    if not isinstance(value, str):
        raise CaseError("as_of", "une date AAAA-MM-JJ ou un instant ISO 8601 est attendu")
    return parse_instant(value, "as_of")


def family(kind: str) -> ModuleType:
    name = FAMILIES[kind]
    module = sys.modules.get(name)  # the fast path: import_module costs microseconds per case
    if module is not None:
        return module
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise
        raise RulesError(f"les cas « {kind} » ne sont pas encore pris en charge ({name})") from None


def policy_versions(policies: PolicySource, policy_id: str) -> Sequence[Policy]:
    try:
        versions = policies(policy_id)
    except PolicyError as exc:
        raise CaseError("policy", str(exc)) from None
    if not versions:
        raise CaseError("policy", f"politique inconnue : « {policy_id} »")
    return versions


def named_version(versions: Sequence[Policy], policy_id: str, version: str) -> Policy:
    try:
        return version_named(versions, version)
    except PolicyError:
        known = ", ".join(p.version for p in versions)
        raise CaseError(
            "policy_version",
            f"version « {version} » inconnue pour la politique {policy_id} (versions : {known})",
        ) from None


def in_force(versions: Sequence[Policy], policy_id: str, on: date) -> Policy:
    """ACC-4: the version in force on the case's reference date. Before the first version
    no terms of this organisation existed yet: the case is invalid (never the earliest
    version applied backwards); naming a version with `policy_version` evaluates it anyway."""
    try:
        return version_in_force(versions, on)
    except PolicyError:
        first = min(versions, key=lambda p: p.effective_from)
        raise CaseError(
            "policy_version",
            f"aucune version des conditions de la politique {policy_id} n'était en vigueur le "
            f"{on.isoformat()} (date de référence du cas : signature, commande, création ou "
            f"notification) ; la première version ({first.version}) entre en vigueur le "
            f"{first.effective_from.isoformat()}. Indiquez « policy_version » pour évaluer le "
            "cas selon une version précise.",
            rule="ACC-4",
        ) from None


def evaluate_case(
    case: Mapping[str, Any], *, today: date, policies: PolicySource, legal: LegalData
) -> tuple[Outcome, date | datetime]:
    """The typed outcome of a JSON case, and the evaluation date or instant used."""
    data = obj(case_body(case), "")
    kind = req_enum(data, "case", "", FAMILIES)
    policy_id = data.get("policy")
    if not isinstance(policy_id, str) or not policy_id.strip():
        raise CaseError("policy", "identifiant de politique obligatoire (ex. « dixneuf »)")
    version = data.get("policy_version")
    if version is not None and (not isinstance(version, str) or not version.strip()):
        raise CaseError("policy_version", "une version en chaîne est attendue (ex. « 2025.08.01 »)")
    as_of = parse_as_of(data.get("as_of"), today)
    # The policy and a named version are checked before the facts: a wrong id is the
    # first thing to tell.
    versions = policy_versions(policies, policy_id)
    asked = named_version(versions, policy_id, version) if version is not None else None
    module = family(kind)
    facts = module.parse_case({k: v for k, v in data.items() if k not in COMMON_FIELDS})
    if asked is not None:
        policy = asked
    else:
        reference: date = module.reference_date(facts)
        if isinstance(reference, datetime):
            reference = reference.date()
        policy = in_force(versions, policy_id, reference)
    outcome: Outcome = module.evaluate(facts, policy=policy, legal=legal, as_of=as_of)
    return outcome, as_of


def simulate(
    case: Mapping[str, Any], *, today: date, policies: PolicySource, legal: LegalData
) -> dict[str, Any]:
    """The outcome JSON (SIMULATION.md) of a case; raises CaseError naming the field."""
    outcome, as_of = evaluate_case(case, today=today, policies=policies, legal=legal)
    result = outcome_to_json(outcome)
    result.setdefault("as_of", iso(as_of))
    return result
