"""Staff panel: simulate a case, read the outcome line by line, manage policy versions."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ofelia.core import clock
from ofelia.core.templatetags.ofelia_ui import date_fr, outcome_label
from ofelia.core.tenancy import tenant_required
from ofelia.organisations.models import Role
from ofelia.rules.errors import PolicyError, RulesError
from ofelia.rules.french import fr_date
from ofelia.rules.lint import lint_policy_text
from ofelia.rules.money import fmt_eur

from . import selectors, services
from .forms import JsonCaseForm, PolicyVersionForm, TrainingCaseForm

STAFF = (Role.ADMINISTRATOR, Role.STAFF)

PAYER_LABELS = {
    "client": "Client", "learner": "Apprenant", "opco": "OPCO", "cpf": "CPF",
    "france_travail": "France Travail", "faf": "FAF", "employer": "Employeur",
}


def _policy_choices(organisation: Any) -> list[tuple[str, str]]:
    return [(pid, pid) for pid in selectors.policy_ids_for(organisation=organisation)]


def _fr(value: Any) -> Any:
    """An outcome value as an office reads it: « 2 juin 2026 », « 2 juin 2026 à 08:00 »; other
    values unchanged (the JSON below keeps the exact form)."""
    if not isinstance(value, str) or len(value) < 10:
        return value
    try:
        if len(value) == 10:
            return date_fr(date.fromisoformat(value))
        instant = datetime.fromisoformat(value)
    except ValueError:
        return value
    local = instant.astimezone(clock.PARIS) if instant.tzinfo else instant
    return f"{date_fr(local.date())} à {local:%H:%M}"


def _eur(value: Any) -> str:
    return fmt_eur(Decimal(value)) if value not in (None, "") else "—"


def _present(outcome: dict[str, Any]) -> dict[str, Any]:
    """The outcome as rows for the tables, with French labels, amounts and dates, and each
    line's reason."""
    reasons = outcome.get("deadline_reasons", {})
    deadlines = []
    for name, value in outcome.get("deadlines", {}).items():
        label = outcome_label(name)
        reason = reasons.get(name, {})
        if isinstance(value, dict):
            deadlines += [{"name": name, "label": f"{label} ({key})", "value": _fr(v), **reason}
                          for key, v in value.items()]
        else:
            deadlines.append({"name": name, "label": label, "value": _fr(value), **reason})
    charges = [{**c, "kind_label": outcome_label(c["kind"]), "amount": _eur(c["amount"]), "vat": _eur(c.get("vat")),
                "due_on": _fr(c.get("due_on")), "payer_label": PAYER_LABELS.get(c["payer"], c["payer"])}
               for c in outcome.get("charges", [])]
    refunds = [{**r, "amount": _eur(r["amount"]), "due_by": _fr(r.get("due_by")),
                "payee_label": PAYER_LABELS.get(r["payee"], r["payee"])} for r in outcome.get("refunds", [])]
    penalties = [{**p, "interest": _eur(p.get("interest")), "recovery_fee": _eur(p.get("recovery_fee"))}
                 for p in outcome.get("penalties", [])]
    breaches = [{**b, "due": _fr(b.get("due"))} for b in outcome.get("breach_details", [])]
    return {
        "outcome": outcome, "as_of": _fr(outcome.get("as_of")), "deadlines": deadlines, "charges": charges,
        "refunds": refunds, "penalties": penalties, "breaches": breaches,
        "warnings": outcome.get("warnings", []), "availability": outcome.get("availability"),
        "raw": json.dumps(outcome, ensure_ascii=False, indent=2),
    }


def _evaluate(request: HttpRequest, case: Any) -> dict[str, Any]:
    try:
        outcome = selectors.simulate_for(organisation=request.organisation,  # type: ignore[attr-defined]
                                         case=case, today=clock.today())
    except RulesError as exc:
        return {"problem": selectors.problem_for(exc), "case_json": json.dumps(case, ensure_ascii=False, indent=2)}
    return {**_present(outcome), "case_json": json.dumps(case, ensure_ascii=False, indent=2)}


@tenant_required(*STAFF)
def index(request: HttpRequest) -> HttpResponse:
    choices = _policy_choices(request.organisation)  # type: ignore[attr-defined]
    initial_policy = getattr(request.organisation, "policy_id", "") or (choices[0][0] if choices else "")  # type: ignore[attr-defined]
    context: dict[str, Any] = {
        "form": TrainingCaseForm(policy_choices=choices, initial={"policy": initial_policy}),
        "json_form": JsonCaseForm(),
        "mode": "form",
    }
    return render(request, "simulator/index.html", context)


@tenant_required(*STAFF)
@require_POST
def run(request: HttpRequest) -> HttpResponse:
    """Evaluate the form (mode=form) or the pasted JSON (mode=json); htmx gets the result only."""
    choices = _policy_choices(request.organisation)  # type: ignore[attr-defined]
    mode = "json" if request.POST.get("mode") == "json" else "form"
    form = TrainingCaseForm(request.POST if mode == "form" else None, policy_choices=choices)
    json_form = JsonCaseForm(request.POST if mode == "json" else None)
    context: dict[str, Any] = {"form": form, "json_form": json_form, "mode": mode}
    bound = form if mode == "form" else json_form
    if bound.is_valid():
        case = form.case() if mode == "form" else json_form.cleaned_data["case_json"]
        context.update(_evaluate(request, case))
    else:
        context["form_errors"] = bound.errors
    if request.headers.get("HX-Request"):
        # htmx swaps 2xx answers only: the result fragment carries the error itself.
        return render(request, "simulator/_result.html", context)
    failed = "form_errors" in context or "problem" in context
    return render(request, "simulator/index.html", context, status=400 if failed else 200)


@tenant_required(*STAFF)
def policy_list(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    rows = []
    for policy_id in selectors.policy_ids_for(organisation=organisation):
        try:
            versions = selectors.policy_versions_for(organisation=organisation, policy_id=policy_id)
        except PolicyError:
            continue
        rows += [{"policy": p, "in_force": p is _in_force(versions)} for p in versions]
    own = selectors.policy_version_list(organisation=organisation)
    return render(request, "simulator/policy_list.html", {"rows": rows, "own": own})


def _in_force(versions: Any) -> Any:
    from ofelia.rules.policy import version_in_force

    try:
        return version_in_force(versions, clock.today())
    except PolicyError:
        return None


@tenant_required(Role.ADMINISTRATOR)
def policy_new(request: HttpRequest) -> HttpResponse:
    """Paste a TOML version; «Vérifier» lints it (htmx), «Enregistrer» stores it if error-free."""
    form = PolicyVersionForm(request.POST or None)
    report = None
    if request.method == "POST" and form.is_valid():
        source = form.cleaned_data["source"]
        if request.POST.get("action") == "lint":
            report = lint_policy_text(source)
            if request.headers.get("HX-Request"):
                return render(request, "simulator/_lint.html", {"report": report})
        else:
            try:
                row = services.policy_version_create(actor=request.user, organisation=request.organisation,  # type: ignore[attr-defined]
                                                     source=source)
            except services.PolicyRejected as exc:
                report = exc.report
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, f"Version {row.version} de la politique {row.policy_id} enregistrée, "
                                          f"en vigueur à partir du {fr_date(row.effective_from)}.")
                return redirect("simulator:policies")
    return render(request, "simulator/policy_form.html", {"form": form, "report": report})
