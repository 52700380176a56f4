"""How long an online order may wait for its payment before its seat is freed.

The delay is the organisation's own setting (« délai de paiement des commandes en ligne »),
not a clause of the terms: an order placed on day D with a delay of N days is due by
D + N, and never later than the eve of the session (a seat is of no use once it started).
The day after the due day, the order is expired: its seat goes back (to the waiting list).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from ofelia.rules.french import fr_date

SOURCE = "délai de paiement des commandes en ligne (paramètre de l'organisme)"


@dataclass(frozen=True)
class OrderPaymentDeadline:
    due_on: date
    expired: bool
    source: str
    explanation: str


def order_payment_deadline(*, ordered_on: date, days: int, session_start: date,
                           today: date) -> OrderPaymentDeadline:
    if days < 1:
        raise ValueError("Le délai de paiement des commandes est d'au moins un jour.")
    due_on = ordered_on + timedelta(days=days)
    eve = session_start - timedelta(days=1)
    capped = eve < due_on
    due_on = max(min(due_on, eve), ordered_on)
    why = (f"commande du {fr_date(ordered_on)}, {days} jour{'s' if days > 1 else ''} pour payer"
           + (", ramené à la veille de la session" if capped else "")
           + f" : à payer au plus tard le {fr_date(due_on)} ({SOURCE})")
    return OrderPaymentDeadline(due_on=due_on, expired=today > due_on, source=SOURCE,
                                explanation=why)
