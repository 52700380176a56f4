"""`ofelia simulate` and `ofelia policy`: the rules core from a terminal, without Django.

    ofelia simulate CASE.json | -      outcome JSON on stdout (exit 0)
    ofelia policy lint FILE|- [--json] linter report (exit 1 when the policy has errors)
    ofelia policy list [--json]        the shipped policies and their versions

Exit codes of `simulate`: 0 outcome printed; 2 invalid case (the message names the
field); 3 the case is valid but the data is not (legal value missing, policy file broken).
Nothing here imports Django: the command must start fast (bench/simulate.py measures it).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

EXIT_INVALID_CASE = 2
EXIT_DATA = 3
PARIS = ZoneInfo("Europe/Paris")
CLI_LEGAL_HINT = ("La ligne de commande lit seulement les tables livrées (ofelia/policies/legal/*.csv) ; "
                  "la simulation web lit aussi les valeurs saisies par l'opérateur de la plateforme.")


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors in French with exit 2, as it does by default."""

    def error(self, message: str) -> Any:
        self.print_usage(sys.stderr)
        self.exit(EXIT_INVALID_CASE, f"{self.prog} : erreur : {message}\n")


def _read(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def today_in_paris() -> date:
    return datetime.now(PARIS).date()


def simulate_main(argv: list[str]) -> int:
    parser = _Parser(prog="ofelia simulate", description="Évalue un cas JSON selon une politique.")
    parser.add_argument("case", metavar="CAS.json", help="fichier du cas, ou - pour l'entrée standard")
    args = parser.parse_args(argv)

    from ofelia.rules.errors import CaseError, MissingLegalData, PolicyError, RulesError

    try:
        text = _read(args.case)
    except OSError as exc:
        print(f"Impossible de lire le cas « {args.case} » : {exc.strerror}", file=sys.stderr)
        return EXIT_INVALID_CASE
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        print(f"Cas invalide : JSON mal formé (ligne {exc.lineno}, colonne {exc.colno}) : {exc.msg}",
              file=sys.stderr)
        return EXIT_INVALID_CASE
    try:
        result = run_case(document, today=today_in_paris())
    except CaseError as exc:
        print(case_error_text(exc), file=sys.stderr)
        return EXIT_INVALID_CASE
    except MissingLegalData as exc:
        print(f"Calcul impossible : {exc}\n{CLI_LEGAL_HINT}", file=sys.stderr)
        return EXIT_DATA
    except PolicyError as exc:
        print(f"Calcul impossible : {exc}", file=sys.stderr)
        return EXIT_DATA
    except RulesError as exc:
        print(f"Cas invalide : {exc}", file=sys.stderr)
        return EXIT_INVALID_CASE
    json.dump(result, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


def case_error_text(exc: Any) -> str:
    rule = f" (règle {exc.rule})" if getattr(exc, "rule", None) else ""
    if exc.path:
        return f"Cas invalide — champ « {exc.path} » : {exc.message}{rule}"
    return f"Cas invalide : {exc.message}{rule}"


def run_case(document: Any, *, today: date) -> dict[str, Any]:
    """The outcome of a case under the shipped policies and legal data."""
    from ofelia.policies import load_shipped
    from ofelia.policies.legal import load_legal_data
    from ofelia.rules.simulate import simulate

    return simulate(document, today=today, policies=load_shipped, legal=load_legal_data())


def policy_main(argv: list[str]) -> int:
    parser = _Parser(prog="ofelia policy", description="Politiques : vérification et liste.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="{lint,list}")
    lint = commands.add_parser("lint", help="vérifie un fichier de politique (TOML)")
    lint.add_argument("file", metavar="FICHIER", help="fichier TOML, ou - pour l'entrée standard")
    lint.add_argument("--json", action="store_true", help="rapport en JSON")
    listing = commands.add_parser("list", help="liste les politiques livrées et leurs versions")
    listing.add_argument("--json", action="store_true", help="liste en JSON")
    args = parser.parse_args(argv)
    if args.command == "lint":
        return _lint(args.file, as_json=args.json)
    return _list(as_json=args.json)


def _lint(path: str, *, as_json: bool) -> int:
    from ofelia.rules.lint import lint_policy_text

    try:
        text = _read(path)
    except (OSError, UnicodeDecodeError) as exc:
        print(f"Impossible de lire « {path} » : {exc}", file=sys.stderr)
        return 1
    report = lint_policy_text(text)
    if as_json:
        json.dump({"file": path, **report.to_json()}, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        print(report.to_text(path))
    return 0 if report.ok else 1


def _list(*, as_json: bool) -> int:
    from ofelia.policies import load_shipped, shipped_policy_ids

    rows = [
        {"id": p.id, "version": p.version, "effective_from": p.effective_from.isoformat(),
         "organisation": p.organisation, "document": p.document, "clauses": len(p.clauses)}
        for policy_id in shipped_policy_ids() for p in load_shipped(policy_id)
    ]
    if as_json:
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    for r in rows:
        print(f"{r['id']:<12} {r['version']:<12} en vigueur le {r['effective_from']}  "
              f"{r['organisation']} — {r['document']} ({r['clauses']} clauses)")
    return 0
