"""policy_version_create: lint first, refuse errors, keep warnings, write the audit row."""

from __future__ import annotations

import hashlib

import pytest

from ofelia.core.models import AuditEntry
from ofelia.organisations.models import Role
from ofelia.organisations.testing import make_member, make_organisation
from ofelia.simulator import selectors
from ofelia.simulator.models import PolicyVersion
from ofelia.simulator.services import PolicyRejected, policy_version_create

from .policy_texts import support_policy

pytestmark = pytest.mark.django_db


def test_policy_version_create_stores_source_sha256_and_audit_row(org_a, admin_a):
    source = support_policy("maison", "2026.01.01", "2026-01-01", 30)
    row = policy_version_create(actor=admin_a, organisation=org_a, source=source)
    assert (row.policy_id, row.version, str(row.effective_from)) == ("maison", "2026.01.01", "2026-01-01")
    assert row.sha256 == hashlib.sha256(source.encode()).hexdigest()
    assert row.created_by == admin_a and row.warnings == []
    entry = AuditEntry.objects.get(action="policy_version.create")
    assert entry.organisation == org_a and entry.after["version"] == "2026.01.01"


def test_policy_version_with_lint_errors_is_refused_and_nothing_is_stored(org_a, admin_a):
    source = support_policy("maison", "2026.01.01", "2026-01-01", 30).replace('article = "CGV art. 9"\n', "")
    with pytest.raises(PolicyRejected) as refused:
        policy_version_create(actor=admin_a, organisation=org_a, source=source)
    assert [p.path for p in refused.value.report.errors] == ["rules.SUP-1.article"]
    assert not PolicyVersion.objects.exists()


def test_policy_version_keeps_linter_warnings(org_a, admin_a):
    source = support_policy("maison", "2026.01.01", "2026-01-01", 30).replace(
        'summary = "Délais de support en heures ouvrées."\n', "")
    row = policy_version_create(actor=admin_a, organisation=org_a, source=source)
    assert [w["code"] for w in row.warnings] == ["W-SUMMARY"]


def test_same_version_twice_and_a_shipped_id_of_another_organisation_are_refused(org_a, admin_a):
    policy_version_create(actor=admin_a, organisation=org_a, source=support_policy("maison", "1", "2026-01-01", 30))
    with pytest.raises(PolicyRejected, match="existe déjà"):
        policy_version_create(actor=admin_a, organisation=org_a, source=support_policy("maison", "1", "2026-02-01", 30))
    with pytest.raises(PolicyRejected, match="politique d'exemple livrée"):
        policy_version_create(actor=admin_a, organisation=org_a,
                              source=support_policy("virtualeo", "2027.01.01", "2027-01-01", 30))


def test_the_organisation_of_a_shipped_policy_adds_a_version_and_keeps_the_old_ones():
    org = make_organisation(policy_id="virtualeo")
    admin = make_member(org, Role.ADMINISTRATOR)
    policy_version_create(actor=admin, organisation=org,
                          source=support_policy("virtualeo", "2026.09.01", "2026-09-01", 30))
    versions = selectors.policy_versions_for(organisation=org, policy_id="virtualeo")
    assert [p.version for p in versions] == ["2025.01.01", "2026.09.01"]


def test_one_organisation_never_sees_another_ones_versions(org_a, admin_a, org_b):
    policy_version_create(actor=admin_a, organisation=org_a, source=support_policy("maison", "1", "2026-01-01", 30))
    assert "maison" in selectors.policy_ids_for(organisation=org_a)
    assert "maison" not in selectors.policy_ids_for(organisation=org_b)
    with pytest.raises(Exception, match="Politique inconnue"):
        selectors.policy_versions_for(organisation=org_b, policy_id="maison")
