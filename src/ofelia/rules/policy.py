"""Policies as data: an organisation's terms, parsed from TOML text into frozen values.

A policy file is a `[policy]` header and one `[rules.<RULE-ID>]` table per clause (see
`policy_schema`). `parse_policy` reads TEXT (the caller opens files) and refuses any
error the linter would report; `check_policy_text` returns every problem found instead
of stopping at the first, for the linter and the upload form.

Clause ids: a RULES.md id (`KNOWN_RULE_IDS`) or an organisation's own clause prefixed
"X-" (free parameters, never read by the engine, shown in explanations). Any other id is
an error: a typo such as `CAN-D01` must not silently switch a clause off.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cached_property
from types import MappingProxyType
from typing import Any, Literal, TypeVar, cast

from ofelia.rules.errors import PolicyError
from ofelia.rules.policy_schema import (
    KNOWN_RULE_IDS,
    OWN_CLAUSE_PREFIX,
    PARAM_SPECS,
    Band,
    Param,
    RuleSpec,
)

CALENDAR_REGIONS = ("national", "alsace-moselle")
_HEADER_KEYS = ("id", "version", "effective_from", "organisation", "document", "calendar")
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
_VERSION_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
_KNOWN = frozenset(KNOWN_RULE_IDS)


@dataclass(frozen=True)
class Clause:
    rule: str
    article: str
    params: Mapping[str, Any]
    summary: str = ""

    def get(self, name: str, default: Any = None) -> Any:
        return self.params.get(name, default)

    def applies_to(self, client: str, format: str) -> bool:
        """The clause's `applies_to` scope admits this client and format (no scope: all)."""
        scope: Mapping[str, Any] = self.params.get("applies_to") or {}
        clients = scope.get("client")
        formats = scope.get("format")
        return (not clients or client in clients) and (not formats or format in formats)


@dataclass(frozen=True)
class Policy:
    id: str
    version: str
    effective_from: date
    organisation: str
    document: str
    calendar_region: str
    clauses: Mapping[str, Clause] = field(default_factory=dict)

    def clause(self, rule_id: str) -> Clause | None:
        return self.clauses.get(rule_id)

    def require(self, rule_id: str) -> Clause:
        """The clause a computation needs; its absence is a policy error, not a zero."""
        found = self.clauses.get(rule_id)
        if found is None:
            raise PolicyError(
                f"La politique {self.id} {self.version} n'a pas de clause {rule_id}."
            )
        return found

    def clauses_of(self, prefix: str) -> tuple[Clause, ...]:
        return tuple(c for rule, c in self.clauses.items() if rule.startswith(prefix))

    def scoped(self, client: str, format: str) -> Mapping[str, Clause]:
        """The clauses that apply to a contract of this client and format, by rule id."""
        return self.derived(("scoped", client, format), _scoped_view)

    def derived(self, key: tuple[str, ...], build: Callable[[Policy, tuple[str, ...]], _T]) -> _T:
        """`build(self, key)`, computed once per policy instance and kept on it.

        Safe because a policy is a frozen value: its clauses never change once parsed, so
        what is derived from them never goes stale; two policies with the same id and
        version (an edited copy) never share a derived value. `key` names what is built
        (its first item the builder's own name), so two builders never collide.
        """
        memo = self._derived
        value = memo.get(key, _MISSING)
        if value is _MISSING:
            value = memo[key] = build(self, key)
        return cast(_T, value)

    @cached_property
    def _derived(self) -> dict[tuple[str, ...], object]:
        return {}

    @property
    def label(self) -> str:
        return f"{self.organisation} — {self.document} (version {self.version})"


_T = TypeVar("_T")
_MISSING = object()


def _scoped_view(policy: Policy, key: tuple[str, ...]) -> Mapping[str, Clause]:
    _, client, format = key
    return MappingProxyType({rule: c for rule, c in policy.clauses.items()
                             if c.applies_to(client, format)})


@dataclass(frozen=True)
class Problem:
    severity: Literal["error", "warning"]
    path: str
    message: str
    rule: str | None = None
    code: str | None = None  # linter warnings: W-STACKED, W-RATE... (see lint.py)

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


# --- parameter conversion -------------------------------------------------------------


class _Invalid(Exception):
    def __init__(self, path: str, message: str) -> None:
        self.path = path
        self.message = message


def _decimal(value: Any, path: str) -> Decimal:
    if isinstance(value, float):
        raise _Invalid(path, "nombre à virgule flottante refusé : écrire le nombre entre guillemets (ex. \"2.5\")")
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise _Invalid(path, "un nombre décimal est attendu (chaîne ou entier)")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise _Invalid(path, f"nombre décimal invalide « {value} »") from None
    if not number.is_finite():
        raise _Invalid(path, f"nombre décimal invalide « {value} »")
    return number


def _check_minimum(number: Decimal | int, spec: Param, path: str) -> None:
    if spec.minimum is not None and number < spec.minimum:
        raise _Invalid(path, f"doit être supérieur ou égal à {spec.minimum}")


def _convert(value: Any, spec: Param, path: str) -> Any:
    kind = spec.kind
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise _Invalid(path, "un entier est attendu")
        _check_minimum(value, spec, path)
        return value
    if kind in ("decimal", "percent"):
        number = _decimal(value, path)
        if kind == "percent" and not Decimal(0) <= number <= Decimal(100):
            raise _Invalid(path, f"pourcentage hors de 0–100 : {number}")
        _check_minimum(number, spec, path)
        return number
    if kind == "bool":
        if not isinstance(value, bool):
            raise _Invalid(path, "true ou false est attendu")
        return value
    if kind in ("str", "enum"):
        if not isinstance(value, str):
            raise _Invalid(path, "une chaîne est attendue")
        if kind == "enum" and value not in spec.choices:
            raise _Invalid(path, f"valeur « {value} » inconnue (attendu : {', '.join(spec.choices)})")
        return value
    if kind == "date":
        return _date(value, path)
    if kind == "list":
        if not isinstance(value, list):
            raise _Invalid(path, "une liste est attendue")
        item = spec.item or Param("str")
        return tuple(_convert(v, item, f"{path}[{i}]") for i, v in enumerate(value))
    if kind == "bands":
        return _bands(value, spec, path)
    if kind == "table":
        if not isinstance(value, dict):
            raise _Invalid(path, "une table est attendue")
        if spec.fields is None:
            return MappingProxyType({k: _raw(v, f"{path}.{k}") for k, v in value.items()})
        return _fields(value, spec.fields, path)
    raise _Invalid(path, f"type de paramètre inconnu : {kind}")  # pragma: no cover


def _date(value: Any, path: str) -> date:
    if isinstance(value, datetime):
        raise _Invalid(path, "une date sans heure est attendue")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise _Invalid(path, f"date invalide « {value} » (AAAA-MM-JJ attendu)")


def _raw(value: Any, path: str) -> Any:
    """A parameter without spec: kept as written, floats refused (money is never a float)."""
    if isinstance(value, float):
        raise _Invalid(path, "nombre à virgule flottante refusé : écrire le nombre entre guillemets (ex. \"2.5\")")
    if isinstance(value, list):
        return tuple(_raw(v, f"{path}[{i}]") for i, v in enumerate(value))
    if isinstance(value, dict):
        return MappingProxyType({k: _raw(v, f"{path}.{k}") for k, v in value.items()})
    return value


def _fields(value: Mapping[str, Any], fields: Mapping[str, Param], path: str,
            skip: Iterable[str] = ()) -> Mapping[str, Any]:
    skipped = set(skip)
    for key in value:
        if key not in fields and key not in skipped:
            raise _Invalid(f"{path}.{key}", "paramètre inconnu")
    out: dict[str, Any] = {}
    for name, sub in fields.items():
        if name in value:
            out[name] = _convert(value[name], sub, f"{path}.{name}")
        elif sub.required:
            raise _Invalid(f"{path}.{name}", "paramètre obligatoire manquant")
    return MappingProxyType(out)


def _bound(row: Mapping[str, Any], key: str, path: str) -> int | None:
    if key not in row:
        return None
    value = row[key]
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Invalid(f"{path}.{key}", "une borne entière est attendue")
    return int(value)


def _bands(value: Any, spec: Param, path: str) -> tuple[Band, ...]:
    if not isinstance(value, list) or not value:
        raise _Invalid(path, "une liste non vide de tranches {min, max, …} est attendue")
    out = []
    for i, row in enumerate(value):
        where = f"{path}[{i}]"
        if not isinstance(row, dict):
            raise _Invalid(where, "une tranche doit être une table {min, max, …}")
        low, high = _bound(row, "min", where), _bound(row, "max", where)
        if low is not None and high is not None and low > high:
            raise _Invalid(where, f"tranche vide : min {low} > max {high}")
        values = _fields(row, spec.fields or {}, where, skip=("min", "max"))
        out.append(Band(low, high, values))
    check_bands(out, path)
    return tuple(out)


def check_bands(bands: Sequence[Band], path: str) -> None:
    """Every integer must fall in exactly one band: no gap, no overlap, open at the top."""
    ordered = sorted(bands, key=lambda b: -(10**9) if b.low is None else b.low)
    first = ordered[0]
    if first.low is not None and first.low > 0:
        raise _Invalid(path, f"tranches incomplètes : aucune tranche pour les valeurs de 0 à {first.low - 1}")
    for prev, nxt in zip(ordered, ordered[1:], strict=False):
        if prev.high is None or (nxt.low is None) or nxt.low <= prev.high:
            raise _Invalid(path, f"tranches qui se chevauchent : {_show(prev)} et {_show(nxt)}")
        if nxt.low > prev.high + 1:
            raise _Invalid(path, f"trou entre les tranches {_show(prev)} et {_show(nxt)} : "
                                 f"aucune tranche pour {prev.high + 1}–{nxt.low - 1}")
    last = ordered[-1]
    if last.high is not None:
        raise _Invalid(path, f"tranches incomplètes : aucune tranche au-delà de {last.high}")


def _show(band: Band) -> str:
    low = "…" if band.low is None else str(band.low)
    high = "…" if band.high is None else str(band.high)
    return f"[{low} ; {high}]"


# --- the file ---------------------------------------------------------------------------


def _header(data: Any, problems: list[Problem]) -> dict[str, Any]:
    def err(key: str, message: str) -> None:
        problems.append(Problem("error", f"policy.{key}" if key else "policy", message))

    if not isinstance(data, dict):
        err("", "la table [policy] est obligatoire")
        return {}
    for key in data:
        if key not in _HEADER_KEYS:
            err(key, "champ inconnu de l'en-tête")
    head: dict[str, Any] = {}
    for key in ("id", "version", "organisation", "document"):
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            err(key, "chaîne non vide obligatoire")
        else:
            head[key] = value.strip()
    if "id" in head and not _ID_RE.match(head["id"]):
        err("id", "identifiant invalide (minuscules, chiffres, - et _)")
    if "version" in head and not _VERSION_RE.match(head["version"]):
        err("version", "version invalide (lettres, chiffres, « . », « - », « _ »)")
    try:
        head["effective_from"] = _date(data.get("effective_from"), "policy.effective_from")
    except _Invalid as exc:
        err("effective_from", "date d'entrée en vigueur obligatoire (AAAA-MM-JJ)"
            if data.get("effective_from") is None else exc.message)
    region = data.get("calendar", "national")
    if region not in CALENDAR_REGIONS:
        err("calendar", f"calendrier inconnu « {region} » (attendu : {', '.join(CALENDAR_REGIONS)})")
    head["calendar"] = region
    return head


def _clause(rule: str, table: Any, specs: Mapping[str, RuleSpec],
            problems: list[Problem]) -> Clause | None:
    path = f"rules.{rule}"

    def err(where: str, message: str) -> None:
        problems.append(Problem("error", where, message, rule))

    if rule not in _KNOWN and not rule.startswith(OWN_CLAUSE_PREFIX):
        err(path, "identifiant de règle inconnu (RULES.md) ; une clause propre à "
                  f"l'organisation s'écrit « {OWN_CLAUSE_PREFIX}… »")
        return None
    if not isinstance(table, dict):
        err(path, "une table est attendue")
        return None
    article = table.get("article")
    ok = True
    if not isinstance(article, str) or not article.strip():
        err(f"{path}.article", "article obligatoire : chaque clause cite l'article des conditions")
        ok = False
    summary = table.get("summary", "")
    if not isinstance(summary, str):
        err(f"{path}.summary", "une chaîne est attendue")
        ok = False
    raw = {k: v for k, v in table.items() if k not in ("article", "summary")}
    spec = specs.get(rule)
    try:
        params = (_fields(raw, spec.params, path) if spec is not None
                  else MappingProxyType({k: _raw(v, f"{path}.{k}") for k, v in raw.items()}))
    except _Invalid as exc:
        err(exc.path, exc.message)
        return None
    if not ok:
        return None
    return Clause(rule=rule, article=str(article).strip(), params=params,
                  summary=str(summary).strip())


def check_policy_text(
    toml_text: str, *, specs: Mapping[str, RuleSpec] | None = None
) -> tuple[Policy | None, tuple[Problem, ...]]:
    """Every error in the file (not just the first) and the policy when there is none."""
    specs = PARAM_SPECS if specs is None else specs
    problems: list[Problem] = []
    try:
        data = tomllib.loads(toml_text)
    except tomllib.TOMLDecodeError as exc:
        return None, (Problem("error", "", f"fichier TOML invalide : {exc}"),)
    for key in data:
        if key not in ("policy", "rules"):
            problems.append(Problem("error", key, "table inconnue (attendu : [policy] et [rules.…])"))
    head = _header(data.get("policy"), problems)
    rules = data.get("rules", {})
    clauses: dict[str, Clause] = {}
    if not isinstance(rules, dict):
        problems.append(Problem("error", "rules", "des tables [rules.<RÈGLE>] sont attendues"))
        rules = {}
    for rule, table in rules.items():
        made = _clause(rule, table, specs, problems)
        if made is not None:
            clauses[rule] = made
    if problems:
        return None, tuple(problems)
    policy = Policy(
        id=head["id"],
        version=head["version"],
        effective_from=head["effective_from"],
        organisation=head["organisation"],
        document=head["document"],
        calendar_region=head["calendar"],
        clauses=MappingProxyType(clauses),
    )
    return policy, ()


def parse_policy(toml_text: str, *, specs: Mapping[str, RuleSpec] | None = None) -> Policy:
    """The policy in this TOML text; PolicyError listing every error otherwise."""
    policy, problems = check_policy_text(toml_text, specs=specs)
    if policy is None:
        listed = "\n".join(f"- {p}" for p in problems)
        raise PolicyError(f"Politique invalide :\n{listed}")
    return policy


# --- versions ---------------------------------------------------------------------------


def version_in_force(versions: Iterable[Policy], on: date) -> Policy:
    """The version with the latest `effective_from` on or before `on` (ACC-4: the version
    in force at signature / order / creation governs the contract)."""
    every = tuple(versions)
    if len(every) == 1 and every[0].effective_from <= on:  # a policy with a single version
        return every[0]
    best: Policy | None = None
    for p in every:  # one pass: this runs for every simulated case
        if p.effective_from <= on and (
            best is None or (p.effective_from, p.version) > (best.effective_from, best.version)
        ):
            best = p
    if best is None:
        known = sorted(every, key=lambda p: p.effective_from)
        first = f" ; la première entre en vigueur le {known[0].effective_from.isoformat()}" if known else ""
        raise PolicyError(f"Aucune version de la politique en vigueur le {on.isoformat()}{first}.")
    return best


def version_named(versions: Iterable[Policy], version: str) -> Policy:
    for p in versions:
        if p.version == version:
            return p
    raise PolicyError(f"Version de politique inconnue : « {version} ».")
