"""The policy linter: the errors that make a policy unusable, and the clauses worth a look.

Errors (the policy is refused): invalid TOML or header, unknown rule id or parameter, a
parameter of the wrong type, bands with a gap or an overlap, a percentage outside 0–100,
a clause without its article — the very checks of `parse_policy`.

Warnings (the policy is accepted; a human should read the clause again):
- W-STACKED: a late-payment clause stacking two or more interest rates (FORMAGOGY PEN-F1);
- W-RETRACTION: a retraction period shorter than the legal 10 days (RET-1) or 14 days (RET-2);
- W-NOTICE: a change of CGU effective less than 1 month after notification (ACC-4);
- W-RATE: a late-payment rate under 3 × the legal rate for professionals (L441-10);
- W-FEE: a recovery fee other than the 40 € of D441-5, none for a professional debtor, or
  one asked of a consumer (PEN-2b);
- W-SUMMARY: a clause without summary (explanations then only cite the article).
The warnings read parameters by their `role` in the schema, whatever their name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ofelia.rules.policy import Clause, Policy, Problem, check_policy_text
from ofelia.rules.policy_schema import PARAM_SPECS, Band, Role, RuleSpec

LEGAL_RETRACTION_DAYS = {"RET-1": 10, "RET-2": 14}
MIN_CGU_NOTICE_MONTHS = 1
MIN_PROFESSIONAL_LEGAL_MULTIPLIER = Decimal(3)
RECOVERY_FEE = Decimal("40.00")
# Late-payment clauses whose debtor is a professional (PEN-D1 is the consumer's).
PROFESSIONAL_PENALTIES = frozenset({"PEN-D2", "PEN-F1", "PEN-V1"})


@dataclass(frozen=True)
class LintReport:
    policy: Policy | None
    problems: tuple[Problem, ...]

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "warning")

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_json(self) -> dict[str, Any]:
        def line(p: Problem) -> dict[str, Any]:
            return {"path": p.path, "rule": p.rule, "code": p.code, "message": p.message}

        head = None
        if self.policy is not None:
            head = {"id": self.policy.id, "version": self.policy.version,
                    "effective_from": self.policy.effective_from.isoformat(),
                    "organisation": self.policy.organisation}
        return {"ok": self.ok, "policy": head,
                "errors": [line(p) for p in self.errors],
                "warnings": [line(p) for p in self.warnings]}

    def to_text(self, name: str = "") -> str:
        """A French report for a terminal or a form."""
        what = name or "politique"
        if self.policy is not None:
            what = f"{what} — {self.policy.id} {self.policy.version} ({self.policy.organisation})"
        n_err, n_warn = len(self.errors), len(self.warnings)
        lines = [f"{what} : {n_err} erreur{'s' if n_err > 1 else ''}, "
                 f"{n_warn} avertissement{'s' if n_warn > 1 else ''}"]
        for p in self.problems:
            label = "erreur" if p.severity == "error" else "avertissement"
            lines.append(f"  {label} {p.path or '(fichier)'} : {p.message}")
        return "\n".join(lines)


def _with_role(clause: Clause, spec: RuleSpec | None, role: Role) -> list[tuple[str, Any]]:
    if spec is None:
        return []
    return [(name, clause.params[name]) for name, param in spec.params.items()
            if param.role == role and name in clause.params]


def _components(value: Any) -> int:
    if isinstance(value, tuple):
        return len(value)
    return 0 if value is None or value is False else 1


def _numbers(value: Any) -> list[Decimal | int]:
    """The numbers a parameter holds: itself, its list items or each band's values."""
    if isinstance(value, bool):
        return []
    if isinstance(value, Decimal | int):
        return [value]
    if isinstance(value, tuple):
        out: list[Decimal | int] = []
        for item in value:
            out.extend(_numbers(item.values if isinstance(item, Band) else item))
        return out
    if isinstance(value, Mapping):
        return [n for v in value.values() for n in _numbers(v)]
    return []


def _is_professional(rule: str, clause: Clause) -> bool:
    """A late-payment clause aimed at professional debtors: by its rule id or its scope."""
    if not rule.startswith("PEN-"):
        return False
    scope = clause.params.get("applies_to")
    clients = scope.get("client") if isinstance(scope, Mapping) else None
    if clients:
        return "professional" in clients
    return rule in PROFESSIONAL_PENALTIES


def _legal_multipliers(rates: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """The multiples of the legal rate among rate components written as tables
    ({base = "legal", multiplier = "3"}); a legal base without multiplier is 1 ×."""
    found: list[tuple[str, Any]] = []
    for name, value in rates:
        items = value if isinstance(value, tuple) else (value,)
        for i, item in enumerate(items):
            if isinstance(item, Mapping) and item.get("base") == "legal":
                where = f"{name}[{i}]" if isinstance(value, tuple) else name
                found.append((where, item.get("multiplier", Decimal(1))))
    return found


def _warnings(policy: Policy, specs: Mapping[str, RuleSpec]) -> list[Problem]:
    found: list[Problem] = []

    def warn(rule: str, where: str, code: str, message: str) -> None:
        found.append(Problem("warning", f"rules.{rule}{where}", message, rule, code))

    for rule, clause in policy.clauses.items():
        spec = specs.get(rule)
        if not clause.summary:
            warn(rule, "", "W-SUMMARY", "clause sans résumé : l'explication ne citera que l'article")
        if rule.startswith("PEN-"):
            rates = _with_role(clause, spec, "late_rate")
            count = sum(_components(v) for _, v in rates)
            if count >= 2:
                names = ", ".join(name for name, _ in rates)
                warn(rule, "", "W-STACKED", f"clause inhabituelle : {count} taux de pénalité cumulés ({names}) ; "
                               "le moteur applique la clause telle qu'écrite, à faire relire")
        professional = _is_professional(rule, clause)
        if professional:
            for name, value in (_with_role(clause, spec, "legal_multiplier")
                                + _legal_multipliers(_with_role(clause, spec, "late_rate"))):
                if any(n < MIN_PROFESSIONAL_LEGAL_MULTIPLIER for n in _numbers(value)):
                    warn(rule, f".{name}", "W-RATE", f"taux de pénalité de {value} × le taux légal, "
                         "inférieur au minimum de 3 × le taux légal entre professionnels "
                         "(Code de commerce L441-10)")
        fees = _with_role(clause, spec, "recovery_fee")
        if not fees and "recovery_fee" in clause.params:
            fees = [("recovery_fee", clause.params["recovery_fee"])]
        for name, value in fees:
            if value is False and professional:
                warn(rule, f".{name}", "W-FEE", "pas d'indemnité forfaitaire de recouvrement alors "
                     "que l'article D441-5 du Code de commerce fixe 40 € par facture en retard "
                     "entre professionnels")
            elif value is True and rule.startswith("PEN-") and not professional:
                warn(rule, f".{name}", "W-FEE", "indemnité forfaitaire de recouvrement demandée à un "
                     "consommateur : elle n'est due que par un débiteur professionnel (PEN-2b)")
            elif any(n != RECOVERY_FEE for n in _numbers(value)):
                warn(rule, f".{name}", "W-FEE", f"indemnité forfaitaire de recouvrement de {value} € "
                     "au lieu des 40 € fixés par l'article D441-5 du Code de commerce")
        legal_days = LEGAL_RETRACTION_DAYS.get(rule)
        if legal_days is not None:
            for name, value in _with_role(clause, spec, "retraction_days"):
                if any(n < legal_days for n in _numbers(value)):
                    warn(rule, f".{name}", "W-RETRACTION", f"délai de rétractation de {value} jours, plus court que "
                                           f"les {legal_days} jours légaux")
        if rule == "ACC-4":
            for name, value in _with_role(clause, spec, "notice_months"):
                if any(n < MIN_CGU_NOTICE_MONTHS for n in _numbers(value)):
                    warn(rule, f".{name}", "W-NOTICE", f"modification des CGU applicable {value} mois après sa "
                                           "notification : moins d'un mois de préavis")
    return found


def lint_policy_text(text: str, *, specs: Mapping[str, RuleSpec] | None = None) -> LintReport:
    specs = PARAM_SPECS if specs is None else specs
    policy, errors = check_policy_text(text, specs=specs)
    if policy is None:
        return LintReport(None, errors)
    return LintReport(policy, tuple(_warnings(policy, specs)))
