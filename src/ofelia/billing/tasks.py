"""Scheduled billing work (Celery beat: `collections-daily`)."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from ofelia.core import clock

from .collections import run_collections


@shared_task(name="ofelia.billing.tasks.collections_daily")
def collections_daily(as_of: str | None = None) -> dict[str, Any]:
    """Idempotent for a day: a redelivered or repeated run writes nothing more."""
    from datetime import date

    day = date.fromisoformat(as_of) if as_of else clock.today()
    report = run_collections(as_of=day)
    return {"as_of": day.isoformat(), "invoices": report.invoices,
            "penalties_written": report.penalties_written, "steps_created": report.steps_created,
            "problems": report.problems}


@shared_task(name="ofelia.billing.tasks.instalments_daily")
def instalments_daily(as_of: str | None = None) -> dict[str, Any]:
    """Charge the later instalments of 3x/4x orders due today (each once)."""
    from datetime import date

    from .online import instalments_charge_due

    day = date.fromisoformat(as_of) if as_of else clock.today()
    return {"as_of": day.isoformat(), **instalments_charge_due(as_of=day)}


@shared_task(name="ofelia.billing.tasks.settlement_daily")
def settlement_daily(as_of: str | None = None) -> dict[str, Any]:
    """Every signed contract settled against the rules core's outcome of the day (FUN-D1
    when the OPCO agreement misses day 8, CAN-L1, events...): drafts only, staff issue them.
    Runs before collections; idempotent for a day."""
    from datetime import date

    from .settlement import settle_all

    day = date.fromisoformat(as_of) if as_of else clock.today()
    report = settle_all(as_of=day)
    return {"as_of": day.isoformat(), "contracts": report["contracts"],
            "changed": report["changed"], "problems": report["problems"]}


@shared_task(name="ofelia.billing.tasks.dunning_letters")
def dunning_letters(limit: int = 500) -> dict[str, Any]:
    """Write the formal notice letters (PDF) of the steps that have none yet."""
    from .letters import letters_generate

    return {"generated": letters_generate(limit=limit)}


@shared_task(name="ofelia.billing.tasks.class_invoices_daily")
def class_invoices_daily() -> dict[str, Any]:
    """VCL-6: the consumption invoice of every virtual class that is over, drafted once."""
    from .virtual_classes import class_invoices_due

    return class_invoices_due()


@shared_task(name="ofelia.billing.tasks.orders_expire_daily")
def orders_expire_daily(as_of: str | None = None) -> dict[str, Any]:
    """Online orders unpaid after the organisation's delay free their seat (idempotent)."""
    from datetime import date

    from .shop import orders_expire_unpaid

    day = date.fromisoformat(as_of) if as_of else clock.today()
    return {"as_of": day.isoformat(), **orders_expire_unpaid(as_of=day)}


@shared_task(name="ofelia.billing.tasks.invoice_pdf_store")
def invoice_pdf_store(invoice_id: int) -> int:
    """Render an issued document's PDF once and store it (queued when the issue commits).
    Idempotent: bytes already stored are kept. Returns their size."""
    from .models import Invoice
    from .pdf import invoice_pdf

    invoice = Invoice.objects.filter(pk=invoice_id).first()
    if invoice is None or invoice.is_draft:
        return 0
    return len(invoice_pdf(invoice))
