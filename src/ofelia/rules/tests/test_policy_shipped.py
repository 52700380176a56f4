"""The shipped example policies load, validate and resolve by date."""

from __future__ import annotations

from datetime import date

import pytest

from ofelia.policies import load_shipped, policy_in_force, shipped_policy_ids
from ofelia.rules.errors import PolicyError


def test_the_five_example_policies_are_shipped():
    assert set(shipped_policy_ids()) >= {"mi4", "dixneuf", "laporte", "formagogy", "virtualeo"}


@pytest.mark.parametrize("policy_id", ["mi4", "dixneuf", "laporte", "formagogy", "virtualeo"])
def test_shipped_policy_parses_and_every_clause_names_its_article(policy_id):
    versions = load_shipped(policy_id)
    assert versions
    for policy in versions:
        assert policy.id == policy_id
        assert all(c.article for c in policy.clauses.values())


def test_policy_in_force_by_date_and_by_version():
    assert policy_in_force("dixneuf", date(2026, 3, 1)).version == "2025.08.01"
    assert policy_in_force("dixneuf", date(2026, 3, 1), "2025.08.01").effective_from == date(2025, 8, 1)
    with pytest.raises(PolicyError, match="Aucune version"):
        policy_in_force("dixneuf", date(2025, 7, 31))
    with pytest.raises(PolicyError, match="Politique inconnue"):
        policy_in_force("nobody", date(2026, 1, 1))


def _lint_shipped(policy_id: str):
    from importlib import resources

    from ofelia.rules.lint import lint_policy_text

    folder = resources.files("ofelia.policies").joinpath(policy_id)
    return [lint_policy_text(f.read_text(encoding="utf-8")) for f in folder.iterdir()
            if f.name.endswith(".toml")]


@pytest.mark.parametrize("policy_id", ["mi4", "dixneuf", "laporte", "formagogy", "virtualeo"])
def test_shipped_policies_lint_without_errors(policy_id):
    for report in _lint_shipped(policy_id):
        assert report.errors == ()


def test_formagogy_pen_f1_stacked_rates_are_flagged_by_the_linter():
    (report,) = _lint_shipped("formagogy")
    assert ("rules.PEN-F1", "W-STACKED") in [(w.path, w.code) for w in report.warnings]


# ACC-4: the version in force is the one the document states. Each shipped version starts
# on the date its document gives (Mi4: « Dernière mise à jour du document : 24.01.2026 »;
# LA PORTE: « Les CGV ont été mises à jour le 29 juillet 2024 »; DIXNEUF: « V2025.08.01 »);
# FORMAGOGY (« CGV version 2.0 ») and VIRTUALEO state no date and keep 2025-01-01.
@pytest.mark.parametrize(("policy_id", "first_day"), [
    ("mi4", date(2026, 1, 24)), ("laporte", date(2024, 7, 29)), ("dixneuf", date(2025, 8, 1)),
    ("formagogy", date(2025, 1, 1)), ("virtualeo", date(2025, 1, 1)),
])
def test_acc_4_shipped_version_starts_on_the_date_its_document_states(policy_id, first_day):
    first = load_shipped(policy_id)[0]
    assert first.effective_from == first_day
    assert first.version == first_day.strftime("%Y.%m.%d")
    assert policy_in_force(policy_id, first_day) is first
    with pytest.raises(PolicyError, match="Aucune version"):
        policy_in_force(policy_id, date.fromordinal(first_day.toordinal() - 1))


def test_acc_4_a_mi4_case_before_its_first_version_is_invalid_and_names_policy_version():
    from ofelia.policies.legal import load_legal_data
    from ofelia.rules.errors import CaseError
    from ofelia.rules.simulate import simulate

    def run(case):
        return simulate(case, today=date(2026, 12, 4), policies=load_shipped, legal=load_legal_data())

    assert run({"case": "terms_change", "policy": "mi4", "notified_on": "2026-01-24"})[
        "deadlines"]["effective_on"] == "2026-03-24"
    with pytest.raises(CaseError) as raised:
        run({"case": "terms_change", "policy": "mi4", "notified_on": "2026-01-23"})
    assert raised.value.path == "policy_version" and raised.value.rule == "ACC-4"
    assert "2026-01-23" in raised.value.message and "2026-01-24" in raised.value.message
    # A version named explicitly is applied whatever the date (the caller's choice).
    out = run({"case": "terms_change", "policy": "mi4", "policy_version": "2026.01.24",
               "notified_on": "2025-06-30"})
    assert out["deadlines"]["effective_on"] == "2025-08-30"
