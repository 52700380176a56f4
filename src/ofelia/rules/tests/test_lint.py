"""The policy linter: one test per check, on small inline policies."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from ofelia.rules.lint import lint_policy_text
from ofelia.rules.policy_schema import Param, RuleSpec, bands

HEADER = """
[policy]
id = "demo"
version = "2026.01.01"
effective_from = 2026-01-01
organisation = "Démo Formation"
document = "Conditions générales de vente"
"""

SPECS = {
    "CAN-D1": RuleSpec({"fee": bands(percent=Param("percent"))}),
    "RET-1": RuleSpec({"days": Param("int", role="retraction_days")}),
    "RET-2": RuleSpec({"days": Param("int", role="retraction_days")}),
    "ACC-4": RuleSpec({"cgu_effective_after_months": Param("int", role="notice_months")}),
    "PEN-D1": RuleSpec({"legal_multiplier": Param("decimal", role="legal_multiplier")}),
    "PEN-D2": RuleSpec({
        "legal_multiplier": Param("decimal", role="legal_multiplier"),
        "recovery_fee": Param("decimal", role="recovery_fee"),
    }),
    "PEN-F1": RuleSpec({
        "ecb_plus_points": Param("decimal", role="late_rate"),
        "monthly_legal_multiplier": Param("decimal", role="late_rate"),
        "recovery_fee": Param("decimal", role="recovery_fee"),
    }),
    "PEN-V1": RuleSpec({"rates": Param("list", item=Param("str"), role="late_rate")}),
}


def clause(rule: str, body: str, summary: str = "Résumé") -> str:
    return f'\n[rules.{rule}]\narticle = "art. 1"\nsummary = "{summary}"\n{body}\n'


def lint(*clauses: str):
    return lint_policy_text(HEADER + "".join(clauses), specs=SPECS)


def codes(report) -> list[tuple[str, str | None]]:
    return [(p.path, p.code) for p in report.warnings]


def test_clean_policy_has_no_error_and_no_warning():
    report = lint(clause("RET-1", "days = 10"), clause("PEN-D2", 'legal_multiplier = "3"\nrecovery_fee = "40"'))
    assert report.ok and report.problems == ()
    assert "0 erreur, 0 avertissement" in report.to_text("demo.toml")


def test_invalid_file_is_an_error():
    report = lint_policy_text("[policy]\nid = ", specs=SPECS)
    assert not report.ok and "TOML invalide" in report.errors[0].message


def test_unknown_parameter_is_an_error():
    report = lint(clause("RET-1", "days = 10\nhours = 3"))
    assert [(p.path, p.message) for p in report.errors] == [("rules.RET-1.hours", "paramètre inconnu")]


def test_bands_gap_and_overlap_are_errors():
    gap = lint(clause("CAN-D1", 'fee = [{ max = 4, percent = "80" }, { min = 6, percent = "0" }]'))
    assert "trou entre les tranches" in gap.errors[0].message
    overlap = lint(clause("CAN-D1", 'fee = [{ max = 6, percent = "80" }, { min = 6, percent = "0" }]'))
    assert "se chevauchent" in overlap.errors[0].message


def test_percentage_outside_0_100_is_an_error():
    report = lint(clause("CAN-D1", 'fee = [{ max = 4, percent = "-1" }, { min = 5, percent = "0" }]'))
    assert report.errors[0].path == "rules.CAN-D1.fee[0].percent"


def test_missing_article_is_an_error():
    report = lint_policy_text(HEADER + '[rules.RET-1]\nsummary = "x"\ndays = 10\n', specs=SPECS)
    assert [p.path for p in report.errors] == ["rules.RET-1.article"]


def test_pen_f1_two_stacked_penalty_rates_warn():
    report = lint(clause("PEN-F1", 'ecb_plus_points = "10"\nmonthly_legal_multiplier = "3"\nrecovery_fee = "40"'))
    assert report.ok
    assert codes(report) == [("rules.PEN-F1", "W-STACKED")]
    assert "2 taux de pénalité cumulés" in report.warnings[0].message


def test_one_rate_does_not_warn_but_a_list_of_two_rates_does():
    assert codes(lint(clause("PEN-F1", 'ecb_plus_points = "10"\nrecovery_fee = "40"'))) == []
    assert codes(lint(clause("PEN-V1", 'rates = ["ecb+10"]'))) == []
    assert codes(lint(clause("PEN-V1", 'rates = ["ecb+10", "3xlegal"]'))) == [("rules.PEN-V1", "W-STACKED")]


def test_ret_1_retraction_shorter_than_10_days_warns():
    assert codes(lint(clause("RET-1", "days = 9"))) == [("rules.RET-1.days", "W-RETRACTION")]
    assert codes(lint(clause("RET-1", "days = 10"))) == []


def test_ret_2_retraction_shorter_than_14_days_warns():
    assert codes(lint(clause("RET-2", "days = 13"))) == [("rules.RET-2.days", "W-RETRACTION")]
    assert codes(lint(clause("RET-2", "days = 14"))) == []


def test_acc_4_cgu_change_sooner_than_one_month_warns():
    assert codes(lint(clause("ACC-4", "cgu_effective_after_months = 0"))) == [
        ("rules.ACC-4.cgu_effective_after_months", "W-NOTICE")]
    assert codes(lint(clause("ACC-4", "cgu_effective_after_months = 1"))) == []


def test_professional_late_rate_below_three_times_legal_warns_not_for_consumers():
    report = lint(clause("PEN-D2", 'legal_multiplier = "2.5"\nrecovery_fee = "40"'))
    assert codes(report) == [("rules.PEN-D2.legal_multiplier", "W-RATE")]
    assert codes(lint(clause("PEN-D2", 'legal_multiplier = "3"\nrecovery_fee = "40"'))) == []
    assert codes(lint(clause("PEN-D1", 'legal_multiplier = "1"'))) == []


def test_recovery_fee_other_than_40_warns():
    report = lint(clause("PEN-D2", 'legal_multiplier = "3"\nrecovery_fee = "50.00"'))
    assert codes(report) == [("rules.PEN-D2.recovery_fee", "W-FEE")]
    assert "50.00 €" in report.warnings[0].message
    assert codes(lint(clause("PEN-D2", 'legal_multiplier = "3"\nrecovery_fee = "40.00"'))) == []


def test_clause_without_summary_warns():
    assert codes(lint(clause("RET-1", "days = 10", summary=""))) == [("rules.RET-1", "W-SUMMARY")]


def test_json_report_shape():
    data = lint(clause("RET-1", "days = 9")).to_json()
    assert data["ok"] is True and data["errors"] == []
    assert data["policy"] == {"id": "demo", "version": "2026.01.01", "effective_from": "2026-01-01",
                              "organisation": "Démo Formation"}
    assert data["warnings"][0]["code"] == "W-RETRACTION" and data["warnings"][0]["rule"] == "RET-1"


def _cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ofelia", "policy", *args], input=stdin,
                          capture_output=True, text=True, timeout=60)


def test_cli_policy_lint_exit_1_on_errors_in_french(tmp_path: Path):
    bad = tmp_path / "bad.toml"
    bad.write_text(HEADER + '[rules.RET-9]\narticle = "art. 1"\n', encoding="utf-8")
    run = _cli("lint", str(bad))
    assert run.returncode == 1
    assert "1 erreur" in run.stdout and "rules.RET-9" in run.stdout and "identifiant de règle inconnu" in run.stdout


def test_cli_policy_lint_json_and_exit_0_on_a_shipped_policy():
    shipped = Path(__file__).resolve().parents[2] / "policies" / "dixneuf" / "2025.08.01.toml"
    run = _cli("lint", "--json", str(shipped))
    assert run.returncode == 0, run.stdout + run.stderr
    report = json.loads(run.stdout)
    assert report["ok"] is True and report["policy"]["id"] == "dixneuf"


def test_cli_policy_lint_reads_stdin_and_list_shows_shipped_policies():
    assert _cli("lint", "-", stdin=HEADER).returncode == 0
    listing = _cli("list", "--json")
    assert listing.returncode == 0
    assert {"mi4", "dixneuf", "laporte", "formagogy", "virtualeo"} <= {r["id"] for r in json.loads(listing.stdout)}


# Penalty clauses written as the shipped policies do: rate tables and a recovery-fee flag.
RATE = Param("table", fields={
    "base": Param("enum", choices=("legal", "ecb")),
    "multiplier": Param("decimal", required=False),
    "plus_points": Param("decimal", required=False),
})
PENALTY = RuleSpec({
    "applies_to": Param("table", required=False),
    "rates": Param("list", item=RATE, role="late_rate"),
    "recovery_fee": Param("bool"),
})
TABLE_SPECS = {"PEN-D1": PENALTY, "PEN-D2": PENALTY, "PEN-F1": PENALTY}


def lint_tables(rule: str, body: str):
    return lint_policy_text(HEADER + clause(rule, body), specs=TABLE_SPECS)


def test_pen_f1_rate_tables_stacked_warn():
    report = lint_tables("PEN-F1", 'rates = [{ base = "ecb", plus_points = "10" }, '
                                   '{ base = "legal", multiplier = "3" }]\nrecovery_fee = true')
    assert codes(report) == [("rules.PEN-F1", "W-STACKED")]


def test_professional_rate_table_below_three_times_legal_warns():
    report = lint_tables("PEN-D2", 'rates = [{ base = "legal", multiplier = "2" }]\nrecovery_fee = true')
    assert codes(report) == [("rules.PEN-D2.rates[0]", "W-RATE")]
    report = lint_tables("PEN-D2", 'rates = [{ base = "legal" }]\nrecovery_fee = true')
    assert codes(report) == [("rules.PEN-D2.rates[0]", "W-RATE")]
    assert codes(lint_tables("PEN-D2", 'rates = [{ base = "legal", multiplier = "3" }]\nrecovery_fee = true')) == []
    # A consumer clause (by its scope) at 1 × the legal rate is fine.
    consumer = 'applies_to = { client = ["consumer"] }\nrates = [{ base = "legal", multiplier = "1" }]\nrecovery_fee = false'
    assert codes(lint_tables("PEN-D2", consumer)) == []


def test_recovery_fee_flag_missing_for_professionals_or_asked_of_consumers_warns():
    report = lint_tables("PEN-D2", 'rates = [{ base = "legal", multiplier = "3" }]\nrecovery_fee = false')
    assert codes(report) == [("rules.PEN-D2.recovery_fee", "W-FEE")]
    report = lint_tables("PEN-D1", 'rates = [{ base = "legal", multiplier = "1" }]\nrecovery_fee = true')
    assert codes(report) == [("rules.PEN-D1.recovery_fee", "W-FEE")]
    assert "PEN-2b" in report.warnings[0].message
