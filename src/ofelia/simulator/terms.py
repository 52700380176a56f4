"""The one door to "which terms apply": an organisation's own policy versions, then the
shipped ones.

Sales (signature, contract policy), billing (invoice terms, funding, deposits,
settlement), collections and online payment all ask here, so an organisation that adds
its own version (the simulation page) and signs a contract under it is invoiced, dunned
and paid online under that very text. Only the rules core and the `ofelia simulate` CLI
read the shipped files directly.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import date
from importlib import resources
from typing import Any

from ofelia.rules.policy import Policy, version_in_force, version_named

from .models import PolicyVersion
from .selectors import policy_versions_for

PolicySource = Callable[[str], Sequence[Policy]]


def policy_terms(*, organisation: Any, policy_id: str, version: str | None = None,
                 on: date | None = None, source: PolicySource | None = None) -> Policy:
    """The version named `version`, else the one in force on `on` (ACC-4), for this
    organisation (`organisation` may be the row or its id).

    `source` is an already bound `policy_source_for` (a batch job reuses one per
    organisation). Raises the core's PolicyError, in French, when nothing matches.
    """
    versions = (source(policy_id) if source is not None
                else policy_versions_for(organisation=organisation, policy_id=policy_id))
    if version:
        return version_named(versions, version)
    if on is None:
        raise ValueError("policy_terms: a version or a date is required")
    return version_in_force(versions, on)


def policy_sha256(*, organisation: Any, policy_id: str, version: str) -> str:
    """Hash of the accepted policy text: the organisation's own version, else the shipped file."""
    own = (PolicyVersion.objects.for_organisation(organisation)
           .filter(policy_id=policy_id, version=version).values_list("sha256", flat=True).first())
    if own:
        return str(own)
    data = resources.files("ofelia.policies").joinpath(policy_id, f"{version}.toml").read_bytes()
    return hashlib.sha256(data).hexdigest()
