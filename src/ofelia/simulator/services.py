"""Writes: an organisation adds a version of its terms, linted first."""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from ofelia.core import audit
from ofelia.policies import shipped_policy_ids
from ofelia.rules.lint import LintReport, lint_policy_text

from .models import PolicyVersion


class PolicyRejected(ValidationError):
    """The linter found errors: the version is refused, the report says why."""

    def __init__(self, report: LintReport, message: str | None = None) -> None:
        self.report = report
        lines = [str(p) for p in report.errors] or [message or "version refusée"]
        super().__init__(lines if message is None else [message])


@transaction.atomic
def policy_version_create(*, actor: Any, organisation: Any, source: str) -> PolicyVersion:
    """Store a new version of a policy after the linter accepted it (warnings are kept)."""
    report = lint_policy_text(source)
    policy = report.policy
    if policy is None:
        raise PolicyRejected(report)
    if PolicyVersion.objects.for_organisation(organisation).filter(
        policy_id=policy.id, version=policy.version
    ).exists():
        raise PolicyRejected(report, f"La version {policy.version} de la politique {policy.id} existe déjà.")
    if policy.id in shipped_policy_ids() and policy.id != (organisation.policy_id or ""):
        # A shipped example belongs to its organisation: another one must choose its own id.
        raise PolicyRejected(
            report, f"« {policy.id} » est une politique d'exemple livrée : choisissez un autre identifiant."
        )
    row = PolicyVersion.objects.create(
        organisation=organisation,
        policy_id=policy.id,
        version=policy.version,
        effective_from=policy.effective_from,
        organisation_name=policy.organisation,
        document=policy.document,
        source=source,
        sha256=hashlib.sha256(source.encode("utf-8")).hexdigest(),
        warnings=[{"path": w.path, "code": w.code, "message": w.message} for w in report.warnings],
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit.record(
        actor=actor,
        action="policy_version.create",
        organisation=organisation,
        obj=row,
        after=audit.snapshot(row, fields=("policy_id", "version", "effective_from", "sha256")),
    )
    return row
