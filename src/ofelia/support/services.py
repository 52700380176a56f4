"""Support desk writes (SUP-1, SUP-2): open a ticket, take charge, give a workaround,
resolve. Each in a transaction, audited, the e-mails sent once the transaction commits."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction

from ofelia.core import audit, clock
from ofelia.organisations.models import Membership, Organisation, Role
from ofelia.rules.french import fr_instant

from . import rules_io
from .models import Ticket

_AUDIT = ["priority", "subject", "company", "opened_at", "policy_id", "policy_version",
          "take_charge_by", "workaround_by", "resolution_by", "taken_at", "workaround_at",
          "resolved_at"]
_PRIORITIES = {p.value for p in Ticket.Priority}


def _fr(instant: Any) -> str:
    local = instant.astimezone(clock.PARIS)
    return f"{fr_instant(local)}"


def _mail_on_commit(ticket: Ticket, subject: str, body: str) -> None:
    """One message to the declarant and the organisation's support address, after commit."""
    recipients = sorted({e for e in (ticket.opener_email, ticket.organisation.email) if e})
    if not recipients:
        return
    text = (f"Bonjour,\n\n{body}\n\nTicket n° {ticket.pk} — {ticket.subject}\n"
            f"Priorité : {ticket.get_priority_display()}\n"
            f"Déclaré le {_fr(ticket.opened_at)}\n\n{ticket.organisation} — support")
    transaction.on_commit(lambda: send_mail(
        f"[{ticket.organisation}] Ticket n° {ticket.pk} : {subject}", text,
        settings.DEFAULT_FROM_EMAIL, recipients, fail_silently=True))


def _deadlines_text(ticket: Ticket) -> str:
    lines = [(label, due) for label, due in (
        ("prise en charge", ticket.take_charge_by), ("contournement", ticket.workaround_by),
        ("résolution", ticket.resolution_by)) if due is not None]
    if not lines:
        return "Les conditions de l'organisme ne fixent pas de délai de support."
    return "Délais (heures ouvrées, SUP-1) : " + " ; ".join(
        f"{label} au plus tard le {_fr(due)}" for label, due in lines) + "."


def may_open_tickets(membership: Membership | None) -> bool:
    """SUP-2: tickets are declared by the client's administrators. In Ofelia a client's
    administrator is an active client contact attached to the client company."""
    return (membership is not None and membership.is_active
            and membership.role == Role.CLIENT_CONTACT and membership.company_id is not None)


@transaction.atomic
def ticket_open(*, actor: Any, organisation: Organisation, membership: Membership | None,
                priority: str, subject: str, description: str, notify: bool = True) -> Ticket:
    """Declare a ticket; its deadlines run from now (the project clock), in business hours.
    `notify=False` only for the demo data: nobody is told of a made-up ticket."""
    if membership is None or membership.organisation_id != organisation.pk or not may_open_tickets(membership):
        raise ValidationError("Seuls les administrateurs du client (contacts de l'entreprise cliente) "
                              "déclarent des tickets (SUP-2).")
    errors: dict[str, str] = {}
    if priority not in _PRIORITIES:
        errors["priority"] = "Priorité inconnue : choisissez critique, importante ou mineure (SUP-1)."
    subject, description = (subject or "").strip(), (description or "").strip()
    if not subject:
        errors["subject"] = "Indiquez l'objet du ticket."
    elif len(subject) > 200:
        errors["subject"] = "L'objet ne dépasse pas 200 caractères."
    if not description:
        errors["description"] = "Décrivez le problème rencontré."
    if errors:
        raise ValidationError(errors)
    opened_at = clock.now()
    policy = rules_io.policy_at(organisation, opened_at)
    ticket = Ticket(organisation=organisation, company_id=membership.company_id, opened_by=actor,
                    opener_email=getattr(actor, "email", "") or "", priority=priority,
                    subject=subject, description=description, opened_at=opened_at)
    if policy is not None and policy.clause("SUP-1") is not None:
        ticket.policy_id, ticket.policy_version = policy.id, policy.version
        for name, due in rules_io.deadlines_for(organisation=organisation, policy=policy,
                                                priority=priority, opened_at=opened_at).items():
            setattr(ticket, name, due)
    ticket.save()
    audit.record(actor=actor, action="ticket.open", organisation=organisation, obj=ticket,
                 after=audit.snapshot(ticket, _AUDIT))
    if notify:
        _mail_on_commit(ticket, "déclaré", f"Le ticket a été déclaré le {_fr(opened_at)}.\n"
                        f"{_deadlines_text(ticket)}")
    return ticket


STEPS = {  # step: (time field, French label)
    "take": ("taken_at", "pris en charge"),
    "workaround": ("workaround_at", "contournement donné"),
    "resolve": ("resolved_at", "résolu"),
}


@transaction.atomic
def ticket_step(*, actor: Any, organisation: Organisation, ticket_id: int, step: str,
                note: str = "", notify: bool = True) -> Ticket:
    """Staff record a step: `take` (take charge), `workaround`, `resolve`. A later step
    implies the earlier ones for the deadlines (the core's rule), but each is recorded once."""
    if step not in STEPS:
        raise ValidationError("Étape inconnue.")
    ticket = (Ticket.objects.for_organisation(organisation).select_for_update()
              .select_related("organisation").filter(pk=ticket_id).first())
    if ticket is None:
        raise ValidationError("Ticket introuvable dans cet organisme.")
    field, label = STEPS[step]
    if ticket.resolved_at is not None:
        raise ValidationError("Ce ticket est déjà résolu.")
    if getattr(ticket, field) is not None:
        raise ValidationError(f"Ce ticket est déjà {label}." if step != "workaround"
                              else "Un contournement a déjà été donné.")
    note = (note or "").strip()
    if step in ("workaround", "resolve") and not note:
        raise ValidationError({"note": "Décrivez la solution apportée au client."})
    before = audit.snapshot(ticket, _AUDIT)
    now = clock.now()
    setattr(ticket, field, now)
    if step == "take" or ticket.taken_by_id is None:
        ticket.taken_by = actor
    if step == "workaround":
        ticket.workaround = note
    if step == "resolve":
        ticket.resolution = note
    ticket.save()
    old, new = audit.changed(before, audit.snapshot(ticket, _AUDIT))
    audit.record(actor=actor, action=f"ticket.{step}", organisation=organisation, obj=ticket,
                 before=old, after={**new, "note": note})
    body = {"take": f"Votre ticket a été pris en charge le {_fr(now)}.",
            "workaround": f"Une solution de contournement a été donnée le {_fr(now)} :\n\n{note}",
            "resolve": f"Votre ticket a été résolu le {_fr(now)} :\n\n{note}"}[step]
    if notify:
        _mail_on_commit(ticket, label, body)
    return ticket
