"""Labels of the outcome codes the sales pages show beyond the shell's table
(ofelia.core.templatetags.ofelia_ui.OUTCOME_LABELS): those of Ofelia's own training events
(CAN-L1, PRV-F1). The shell's table is used for every other code."""

from __future__ import annotations

from django import template

from ofelia.core.templatetags.ofelia_ui import outcome_label

register = template.Library()

OWN_EVENT_LABELS = {
    "rescission_from": "Résolution pour retard de fourniture possible à partir du",
    "complaints_by": "Réserves et réclamations par écrit au plus tard le",
    "remaining_charge": "Reste à charge",
}


@register.filter
def sales_label(code: object) -> str:
    """The French label of an outcome code (charge kind, payer, deadline)."""
    return OWN_EVENT_LABELS.get(str(code)) or outcome_label(code)
