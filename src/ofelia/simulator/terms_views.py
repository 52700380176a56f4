"""The organisation's terms of sale, readable by anyone (a client before ordering, a learner
after signing): the version in force or a named one, as a page and as a PDF.

Ofelia holds each version as the clauses it enforces, article by article, with their
summary; the page says so, and that the document signed is what binds (readings in
docs/quotes.md)."""

from __future__ import annotations

import re
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string

from ofelia.core import clock
from ofelia.organisations.selectors import organisation_by_slug
from ofelia.rules.errors import PolicyError
from ofelia.rules.policy import Policy

from .selectors import policy_versions_for

_NUMBERS = re.compile(r"\d+")


def _article_key(article: str) -> tuple[Any, ...]:
    """« CGV, art. 10.1 » after « CGV, art. 9.2 »: numbers compared as numbers."""
    return tuple(int(n) for n in _NUMBERS.findall(article)) or (10**6,), article


def articles(policy: Policy) -> list[tuple[str, list[str]]]:
    """The clauses grouped by the article they come from, in the document's order."""
    grouped: dict[str, list[str]] = {}
    for clause in policy.clauses.values():
        summaries = grouped.setdefault(clause.article, [])
        if clause.summary and clause.summary not in summaries:
            summaries.append(clause.summary)
    return [(article, grouped[article]) for article in sorted(grouped, key=_article_key)]


def _terms(slug: str, version: str) -> dict[str, Any]:
    organisation = organisation_by_slug(slug=slug)
    if organisation is None or not organisation.policy_id:
        raise Http404
    try:
        versions = policy_versions_for(organisation=organisation, policy_id=organisation.policy_id)
    except PolicyError as exc:
        raise Http404 from exc
    today = clock.today()
    in_force = [p for p in versions if p.effective_from <= today]
    current = in_force[-1] if in_force else None
    chosen = next((p for p in versions if p.version == version), None) if version else current
    if chosen is None:
        raise Http404
    return {"organisation": organisation, "policy": chosen, "articles": articles(chosen),
            "versions": list(reversed(versions)), "current": current, "today": today}


def terms_page(request: HttpRequest, slug: str) -> HttpResponse:
    context = _terms(slug, request.GET.get("version", "")[:40])
    return render(request, "simulator/terms.html", context)


def terms_pdf_bytes(slug: str, version: str = "") -> tuple[Policy, bytes]:
    """The terms (a named version, else the one in force) as a PDF: the page's download and
    the contract confirmation's attachment."""
    from weasyprint import HTML

    context = _terms(slug, version)
    html = render_to_string("simulator/pdf/terms.html", context)
    return context["policy"], HTML(string=html).write_pdf()


def terms_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    policy, pdf = terms_pdf_bytes(slug, request.GET.get("version", "")[:40])
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="conditions-{policy.id}-{policy.version}.pdf"'
    return response
