"""Virtual classes: order with the estimate shown first (VCL-2), then the class's page with its
deadlines, changes and cancellation (CAN-V1). Client administrators in the extranet, staff in
the back office; the same pages, the same services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from ofelia.core import clock
from ofelia.core.tenancy import tenant_required
from ofelia.organisations.models import Role

from . import provisioning, rules_io, selectors, services
from .forms import ClassForm, companies_of

STAFF = (Role.ADMINISTRATOR, Role.STAFF)


def _refused(form: ClassForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields or field == "start" else None, errors)
    else:
        form.add_error(None, exc)


def _fix_start_errors(form: ClassForm) -> None:
    """The services speak of `start`; the form shows it as the first day."""
    if "start" in form.errors:
        form.errors.setdefault("start_day", form.error_class()).extend(form.errors.pop("start"))


def _order_page(request: HttpRequest, *, staff: bool) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    membership = request.membership  # type: ignore[attr-defined]
    offered = rules_io.policy_at(organisation, clock.now()) is not None
    allowed = offered and services.may_order(membership)
    form = ClassForm(request.POST or None, companies=companies_of(organisation) if staff else None)
    estimate = None
    if request.method == "POST" and allowed and form.is_valid():
        company = form.cleaned_data["company"] if staff else membership.company
        try:
            if request.POST.get("action") == "order":
                klass = services.class_order(actor=request.user, organisation=organisation, membership=membership,
                                             company=company, data=form.configuration())
                messages.success(request, f"Classe « {klass.title} » commandée : estimation de "
                                          f"{klass.estimate_excl_vat} € HT, modifiable jusqu'à 1 h avant le démarrage.")
                return redirect("hosting:class" if staff else "hosting:my-class", pk=klass.pk)
            estimate = services.class_estimate(organisation=organisation, data=form.configuration())
        except ValidationError as exc:
            _refused(form, exc)
            _fix_start_errors(form)
    classes = selectors.visible_classes(organisation=organisation, membership=membership)[:200]
    return render(request, "hosting/classes.html", {
        "form": form, "estimate": estimate, "classes": classes, "staff": staff, "offered": offered,
        "allowed": allowed, "now": clock.now()})


def _detail_page(request: HttpRequest, pk: int, *, staff: bool) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    membership = request.membership  # type: ignore[attr-defined]
    klass = selectors.class_get(organisation=organisation, membership=membership, pk=pk)
    if klass is None:
        raise Http404
    form = ClassForm(request.POST or None, initial=ClassForm.initial_of(klass))
    back = "hosting:class" if staff else "hosting:my-class"
    if request.method == "POST" and request.POST.get("action", "").startswith("extension"):
        _extension_action(request, klass, membership)
        return redirect(back, pk=pk)
    if request.method == "POST" and request.POST.get("action", "").startswith("machine_"):
        if not staff:
            raise Http404
        _machine_action(request, klass, membership)
        return redirect(back, pk=pk)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "cancel":
                services.class_cancel(actor=request.user, klass=klass)
                messages.success(request, "Classe annulée sans frais (CAN-V1).")
                return redirect(back, pk=pk)
            if form.is_valid():
                services.class_change(actor=request.user, klass=klass, data=form.configuration())
                messages.success(request, "Classe modifiée sans frais ; l'estimation est mise à jour.")
                return redirect(back, pk=pk)
        except ValidationError as exc:
            _refused(form, exc)
            _fix_start_errors(form)
            if request.POST.get("action") == "cancel":
                messages.error(request, " ".join(exc.messages))
    estimate = rules_io.estimate_of(klass)
    now = clock.now()
    started = now >= klass.start
    return render(request, "hosting/class_detail.html", {
        "klass": klass, "estimate": estimate, "form": form, "staff": staff, "now": now,
        "consumption": rules_io.consumption_of(klass, now=now) if started and not klass.is_cancelled else None,
        "extensions": klass.extensions.all(), "days": range(1, klass.days + 1),
        "machines": selectors.class_machines(klass), "ready_machines": provisioning.ready_count(klass),
        "changeable": not klass.is_cancelled and (estimate.change_until is None or now <= estimate.change_until)})


def _extension_action(request: HttpRequest, klass: Any, membership: Any) -> None:
    """VCL-4: the client or staff ask for one more hour on a day; staff approve or refuse."""
    action = request.POST.get("action")
    try:
        if action == "extension_request":
            day = request.POST.get("day", "")
            services.extension_request(actor=request.user, klass=klass, day=int(day) if day.isdigit() else 0)
            messages.success(request, "Prolongation d'une heure demandée : le personnel administratif de "
                                      "l'organisme doit l'approuver (VCL-4).")
            return
        raw = request.POST.get("extension", "")[:12]
        extension = klass.extensions.filter(pk=int(raw)).first() if raw.isdigit() else None
        if extension is None:
            raise Http404
        done = services.extension_decide(actor=request.user, membership=membership, extension=extension,
                                         approve=action == "extension_approve")
        messages.success(request, f"Prolongation du jour {done.day} {done.get_status_display().lower()}.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))


def _machine_action(request: HttpRequest, klass: Any, membership: Any) -> None:
    """Staff switch a machine of the class off (storage only from then, VCL-5) or on again."""
    raw = request.POST.get("machine", "")[:12]
    machine = klass.provisioned.filter(pk=int(raw)).first() if raw.isdigit() else None
    if machine is None:
        raise Http404
    start = request.POST.get("action") == "machine_start"
    try:
        done = provisioning.machine_power(actor=request.user, membership=membership, machine=machine, on=start)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return
    label = "démarrée" if start else "arrêtée"
    messages.success(request, f"Machine « {done.post} » {label}.")


@tenant_required(*STAFF)
def classes(request: HttpRequest) -> HttpResponse:
    return _order_page(request, staff=True)


@tenant_required(*STAFF)
def class_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, pk, staff=True)


@tenant_required(Role.CLIENT_CONTACT)
def my_classes(request: HttpRequest) -> HttpResponse:
    return _order_page(request, staff=False)


@tenant_required(Role.CLIENT_CONTACT)
def my_class(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, pk, staff=False)


