"""Staff panel: simulate a case, read the outcome line by line, manage policy versions."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ofelia.core import clock
from ofelia.core.tenancy import tenant_required
from ofelia.organisations.models import Role
from ofelia.rules.errors import PolicyError, RulesError
from ofelia.rules.lint import lint_policy_text

from . import selectors, services
from .forms import JsonCaseForm, PolicyVersionForm, TrainingCaseForm

STAFF = (Role.ADMINISTRATOR, Role.STAFF)

KIND_LABELS = {
    "price": "Prix", "prorata": "Prorata des heures suivies", "cancellation_fee": "Frais d'annulation",
    "abandonment_fee": "Dédommagement d'abandon", "deposit": "Acompte", "instalment": "Échéance",
    "remaining_charge": "Reste à charge", "usage": "Consommation", "storage": "Stockage",
    "extension": "Prolongation", "outside_hours": "Hors horaires", "estimate": "Estimation",
}
PAYER_LABELS = {
    "client": "Client", "learner": "Apprenant", "opco": "OPCO", "cpf": "CPF",
    "france_travail": "France Travail", "faf": "FAF", "employer": "Employeur",
}
DEADLINE_LABELS = {
    "retraction_ends": "Fin du délai de rétractation", "first_payment_from": "Premier paiement possible",
    "provider_cancel_by": "Report ou annulation par l'organisme au plus tard",
    "opco_agreement_by": "Accord OPCO attendu au plus tard",
    "france_travail_request_by": "Demande France Travail au plus tard",
    "modification_request_by": "Demande de modification au plus tard", "payment_due": "Échéance",
    "formal_notice_from": "Mise en demeure possible", "order_to_pay_from": "Injonction de payer possible",
    "suspension_from": "Suspension possible", "certification_submission_by": "Vidéo d'évaluation au plus tard",
    "change_until": "Modification gratuite jusqu'au", "ready_by": "Prête au plus tard",
    "take_charge_by": "Prise en charge au plus tard", "workaround_by": "Contournement au plus tard",
    "resolution_by": "Résolution au plus tard", "deletion_from": "Suppression possible",
    "effective_on": "Entrée en vigueur",
}


def _policy_choices(organisation: Any) -> list[tuple[str, str]]:
    return [(pid, pid) for pid in selectors.policy_ids_for(organisation=organisation)]


def _present(outcome: dict[str, Any]) -> dict[str, Any]:
    """The outcome as rows for the tables, with French labels and each line's reason."""
    reasons = outcome.get("deadline_reasons", {})
    deadlines = []
    for name, value in outcome.get("deadlines", {}).items():
        label = DEADLINE_LABELS.get(name, name)
        reason = reasons.get(name, {})
        if isinstance(value, dict):
            deadlines += [{"name": name, "label": f"{label} ({key})", "value": v, **reason}
                          for key, v in value.items()]
        else:
            deadlines.append({"name": name, "label": label, "value": value, **reason})
    charges = [{**c, "kind_label": KIND_LABELS.get(c["kind"], c["kind"]),
                "payer_label": PAYER_LABELS.get(c["payer"], c["payer"])} for c in outcome.get("charges", [])]
    refunds = [{**r, "payee_label": PAYER_LABELS.get(r["payee"], r["payee"])} for r in outcome.get("refunds", [])]
    return {
        "outcome": outcome, "deadlines": deadlines, "charges": charges, "refunds": refunds,
        "penalties": outcome.get("penalties", []), "breaches": outcome.get("breach_details", []),
        "warnings": outcome.get("warnings", []),
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
                                          f"en vigueur à partir du {row.effective_from:%d/%m/%Y}.")
                return redirect("simulator:policies")
    return render(request, "simulator/policy_form.html", {"form": form, "report": report})
