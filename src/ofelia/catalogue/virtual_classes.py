"""VCL-1 on sessions: a virtual class holds at most the policy's number of learners (30 for
VIRTUALEO, plus the instructor's environment), whatever the session form says.

Applies to the sessions of a virtual-class training (`Modality.VIRTUAL_CLASS`) of an
organisation whose terms in force on the session's first day state VCL-1; other trainings
and other terms keep their free capacity.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ofelia.rules.errors import PolicyError
from ofelia.rules.policy import version_in_force
from ofelia.simulator.selectors import policy_versions_for

from .models import Modality


def virtual_class_capacity_error(*, organisation: Any, training: Any, capacity: int | None,
                                 on: date | None) -> str | None:
    """The French refusal naming VCL-1 and its clause, or None when the capacity is allowed."""
    if training is None or capacity is None or training.modality != Modality.VIRTUAL_CLASS:
        return None
    if not organisation.policy_id:
        return None
    try:
        policy = version_in_force(
            policy_versions_for(organisation=organisation, policy_id=organisation.policy_id),
            on or date.today())
    except PolicyError:
        return None
    clause = policy.clause("VCL-1")
    if clause is None:
        return None
    # Places offered, not seats taken: the seat count itself stays in seats.py.
    places, most = capacity, int(clause.params["max_learners"])
    if places <= most:
        return None
    return (f"Classe virtuelle : au plus {most} stagiaires par classe, plus un environnement pour "
            f"l'instructeur ({places} places demandées) — VCL-1, {clause.article} "
            f"des conditions {policy.id} : « {clause.summary} »")
