"""Small organisation-defined policies for the simulator tests."""

from __future__ import annotations


def support_policy(policy_id: str, version: str, effective_from: str, take_charge_minutes: int) -> str:
    """A support policy whose critical tickets must be taken in `take_charge_minutes`."""
    return f"""
[policy]
id = "{policy_id}"
version = "{version}"
effective_from = {effective_from}
organisation = "Maison de la formation"
document = "Conditions générales de vente"

[rules.SUP-1]
article = "CGV art. 9"
summary = "Délais de support en heures ouvrées."

[rules.SUP-1.priorities.critical]
take_charge_minutes = {take_charge_minutes}
workaround_minutes = 120
resolution_minutes = 720

[rules.SUP-1.priorities.important]
take_charge_minutes = 60
workaround_minutes = 240
resolution_minutes = 1440

[rules.SUP-1.priorities.minor]
take_charge_minutes = 720
resolution_minutes = 4320
"""


def ticket_case(policy_id: str, opened_at: str = "2026-03-06T10:00:00+01:00") -> dict[str, object]:
    return {"case": "ticket", "policy": policy_id, "as_of": opened_at,
            "ticket": {"priority": "critical", "opened_at": opened_at}, "events": []}
