"""The formal notice letter (mise en demeure) of a dunning step, as a stored PDF."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.template.loader import render_to_string

from ofelia.core import audit, clock

from .models import DunningStep, DunningStepKind, PenaltyAssessment
from .pdf import render_html_pdf


def letter_render(step: DunningStep) -> bytes:
    invoice = step.invoice
    penalty = PenaltyAssessment.objects.filter(invoice=invoice).first()
    html = render_to_string("billing/pdf/formal_notice.html", {
        "step": step, "invoice": invoice, "seller": invoice.seller, "penalty": penalty,
        "settled": invoice.amount_paid + invoice.amount_credited,
    })
    return render_html_pdf(html)


@transaction.atomic
def letter_store(step: DunningStep) -> DunningStep:
    """Write the letter once; the stored PDF is what was sent, never rewritten."""
    step = DunningStep.objects.select_for_update().select_related("invoice").get(pk=step.pk)
    if step.step != DunningStepKind.FORMAL_NOTICE:
        raise ValueError("Seule la mise en demeure a une lettre.")
    if step.letter_pdf is None:
        step.letter_pdf = letter_render(step)
        step.letter_generated_at = clock.now()
        step.save(update_fields=["letter_pdf", "letter_generated_at", "updated_at"])
        audit.record(actor=None, action="dunning.letter", organisation=step.invoice.organisation,
                     obj=step, after={"invoice": step.invoice.number, "bytes": len(step.letter_pdf)})
    return step


def letter_bytes(step: DunningStep) -> bytes:
    stored = step if step.letter_pdf is not None else letter_store(step)
    return bytes(stored.letter_pdf)  # type: ignore[arg-type]


def letters_generate(*, limit: int = 500) -> int:
    pending: Any = (DunningStep.objects.filter(step=DunningStepKind.FORMAL_NOTICE,
                                               letter_pdf__isnull=True)
                    .order_by("id").values_list("pk", flat=True)[:limit])
    count = 0
    for pk in list(pending):
        letter_store(DunningStep(pk=pk))
        count += 1
    return count
