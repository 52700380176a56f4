"""The platform operator's page for the legal data: what is missing, what is in force,
and a form per table to add a row without a release."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from ofelia.core import clock

from . import services
from .models import LegalDataRow
from .selectors import COLUMNS, legal_data, missing_items

LABELS = {
    "half_year": "Semestre (ex. 2026-H2)", "private_person": "Créancier particulier (%)",
    "other": "Tous les autres cas (%)", "effective_from": "À compter du (AAAA-MM-JJ)",
    "rate": "Taux (%)", "parameter": "Paramètre (recovery_fee, cpf_participation)",
    "value": "Valeur (€)", "table": "Série (ecb_rate, cpf_participation, recovery_fee)",
    "known_until": "Vérifiée jusqu'au (AAAA-MM-JJ)", "source": "Source (texte officiel, date de publication)",
}


@login_required
def legal_data_page(request: HttpRequest) -> HttpResponse:
    if not request.user.is_superuser:  # type: ignore[union-attr]
        raise PermissionDenied
    if request.method == "POST":
        table = request.POST.get("table", "")
        row = {c: request.POST.get(c, "") for c in COLUMNS.get(table, ())}
        try:
            services.legal_row_add(actor=request.user, table=table, row=row)
        except ValidationError as refused:
            messages.error(request, " ".join(refused.messages))
            return render(request, "legal/legal_data.html", _context(request, table, row), status=400)
        messages.success(request, "Ligne ajoutée : elle s'applique dès maintenant à tous les calculs.")
        return redirect("legal:data")
    return render(request, "legal/legal_data.html", _context(request))


def _context(request: HttpRequest, table: str = "", row: dict[str, str] | None = None) -> dict[str, object]:
    today = clock.today()
    data = legal_data()
    forms = [{"table": t, "label": LegalDataRow.Table(t).label,
              "fields": [{"name": c, "label": LABELS[c], "value": (row or {}).get(c, "") if t == table else ""}
                         for c in cols]}
             for t, cols in COLUMNS.items()]
    rates = sorted(data.legal_rates.values(), key=lambda r: r.half_year, reverse=True)[:6]
    return {
        "today": today, "missing": missing_items(today, data), "forms": forms, "rates": rates,
        "ecb": sorted(data.ecb_rates, key=lambda e: e.effective_from, reverse=True)[:4],
        "coverage": sorted(data.coverage.values(), key=lambda c: c.table),
        "entered": LegalDataRow.objects.select_related("created_by").order_by("-created_at")[:50],
    }
