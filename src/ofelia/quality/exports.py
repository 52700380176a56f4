"""BPF exports: CSV with the project's writer (`;`, decimal comma, formulas neutralised)
and PDF with WeasyPrint, like the other documents."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string

from ofelia.core.exports import csv_text

from .bpf import Figure, Report


def decimal_fr(value: Decimal) -> str:
    return f"{value:.2f}".replace(".", ",")


def sections(report: Report) -> list[tuple[str, str, list[Figure]]]:
    """(title, kind, figures): kind `amount` or `people` says which columns mean something."""
    return [
        ("C — Origine des produits de l'organisme (HT, avoirs déduits)", "amount",
         [*report.products, report.products_total]),
        ("F-1 — Type de stagiaires", "people", [*report.trainees, report.trainees_total, report.remote]),
        ("F-3 — Objectif général des prestations", "people", report.objectives),
        ("F-2 et G — Sous-traitance", "people", report.subcontracting),
    ]


def bpf_csv(report: Report, problems: list[Any]) -> str:
    rows: list[list[str]] = []
    for title, kind, figures in sections(report):
        for f in figures:
            rows.append([title, f.code, f.label,
                         decimal_fr(f.amount) if kind == "amount" else "",
                         str(f.trainees) if kind == "people" else "",
                         decimal_fr(f.hours) if kind == "people" else "", str(len(f.ids))])
    for problem in problems:
        rows.append(["Points à vérifier", problem.kind, problem.label, "", "", "", ""])
    return csv_text(["Cadre", "Ligne", "Libellé", "Montant HT (€)", "Stagiaires", "Heures",
                     "Lignes comptées"], rows)


def bpf_pdf(*, report: Report, problems: list[Any], organisation: Any) -> bytes:
    from weasyprint import HTML

    html = render_to_string("quality/pdf/bpf.html", {
        "report": report, "sections": sections(report), "problems": problems,
        "organisation": organisation})
    return HTML(string=html).write_pdf()  # type: ignore[no-any-return]
