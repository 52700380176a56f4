"""The attendance PDFs (WeasyPrint): the half-day sheet and, per learner, the certificat de
réalisation (ministry model), the attestation de fin de formation (L6353-1) and the
attestation d'assiduité. They are sealed by `services` before anyone sees them."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string

from ofelia.catalogue.models import Enrolment
from ofelia.core import clock
from ofelia.organisations.models import Membership, Role

from . import selectors
from .models import AttendanceSheet, Document, Mark

END_KINDS = (Document.Kind.COMPLETION, Document.Kind.END_OF_TRAINING, Document.Kind.ASSIDUITY)
TEMPLATES = {
    Document.Kind.COMPLETION: "attendance/pdf/completion.html",
    Document.Kind.END_OF_TRAINING: "attendance/pdf/end_of_training.html",
    Document.Kind.ASSIDUITY: "attendance/pdf/assiduity.html",
}


# The « résultats de l'évaluation des acquis » of the attestation de fin de formation (L6353-1)
# can come from apps above attendance (e-learning's graded certification): they register a
# provider here from their AppConfig.ready(), attendance never imports them. A provider
# returns the French lines to print for an enrolment, or [].
ResultsProvider = Callable[[Enrolment], list[str]]
_results_providers: list[ResultsProvider] = []


def register_evaluation_results(provider: ResultsProvider) -> None:
    if provider not in _results_providers:
        _results_providers.append(provider)


def evaluation_results(enrolment: Enrolment) -> list[str]:
    return [line for provider in _results_providers for line in provider(enrolment)]


def _only_data_urls(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """Signatures are embedded as data: URLs; nothing else is ever fetched (WeasyPrint < 70)."""
    from weasyprint import default_url_fetcher

    if not url.startswith("data:"):
        raise ValueError("Ressource externe refusée dans un document d'émargement.")
    return default_url_fetcher(url, *args, **kwargs)  # type: ignore[no-any-return]


def _pdf(html: str) -> bytes:
    from weasyprint import HTML

    fetcher: Any = _only_data_urls
    try:  # WeasyPrint 70 takes a fetcher object limited to the given protocols
        from weasyprint.urls import URLFetcher  # type: ignore[attr-defined]

        fetcher = URLFetcher(allowed_protocols={"data"})
    except ImportError:
        pass
    return HTML(string=html, url_fetcher=fetcher).write_pdf()  # type: ignore[no-any-return]


def _representative(organisation: Any) -> str:
    """Who signs for the organisation: its first administrator (the legal representative
    field of the organisation is to come)."""
    admin = (Membership.objects.filter(organisation=organisation, role=Role.ADMINISTRATOR,
                                       is_active=True).select_related("user").order_by("id").first())
    return admin.user.get_full_name() if admin is not None else ""


def render_sheet_pdf(sheet: AttendanceSheet) -> bytes:
    slot = sheet.slot
    marks = list(sheet.marks.select_related("enrolment__learner", "signed_by")
                 .order_by("enrolment__learner__last_name", "enrolment__learner__first_name"))
    rows = [{"mark": m, "learner": m.enrolment.learner, "hours": selectors.mark_hours(m, slot)}
            for m in marks]
    return _pdf(render_to_string("attendance/pdf/sheet.html", {
        "sheet": sheet, "slot": slot, "session": slot.session, "training": slot.session.training,
        "organisation": sheet.organisation, "rows": rows, "now": clock.now(),
        "amendments": sheet.amendments.select_related("mark__enrolment__learner", "author")
        .order_by("created_at"),
    }))


def attendance_lines(enrolment: Enrolment) -> list[dict[str, Any]]:
    """Each half-day of the session with what the closed sheets say of this learner."""
    marks = {m.sheet.slot_id: m for m in Mark.objects.filter(
        enrolment=enrolment, sheet__status=AttendanceSheet.Status.CLOSED).select_related("sheet")}
    lines = []
    for slot in enrolment.session.slots.all():
        mark = marks.get(slot.pk)
        lines.append({"slot": slot, "mark": mark, "planned": selectors.slot_hours(slot),
                      "hours": selectors.mark_hours(mark, slot) if mark else Decimal("0")})
    return lines


def render_learner_document(kind: str, enrolment: Enrolment, hours: Decimal) -> bytes:
    session = enrolment.session
    planned = selectors.planned_hours(session)
    return _pdf(render_to_string(TEMPLATES[Document.Kind(kind)], {
        "enrolment": enrolment, "learner": enrolment.learner, "session": session,
        "training": session.training, "organisation": enrolment.organisation,
        "representative": _representative(enrolment.organisation), "hours": hours,
        "planned": planned, "rate": (hours * 100 / planned).quantize(Decimal("1")) if planned else None,
        "lines": attendance_lines(enrolment) if kind == Document.Kind.ASSIDUITY else [],
        "results": evaluation_results(enrolment) if kind == Document.Kind.END_OF_TRAINING else [],
        "today": clock.today(),
    }))
