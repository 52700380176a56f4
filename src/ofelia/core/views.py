"""Shell pages: home routing, dashboards per role, audit log, health, error pages."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import BadRequest
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_POST

from ofelia.organisations.models import STAFF_ROLES, Role

from . import clock
from .exports import CsvWriter
from .forms import AuditFilterForm
from .middleware import SESSION_ORGANISATION_KEY
from .models import AuditEntry
from .tenancy import check_access, tenant_required


@never_cache
def home(request: HttpRequest) -> HttpResponse:
    """`/`: anonymous visitors go to the login page, members to their role's home."""
    if request.user.is_superuser and getattr(request, "membership", None) is None:
        return redirect("admin:index")  # the platform operator configures tenants there
    refused = check_access(request, None)
    if refused is not None:
        return refused
    if request.membership.role in STAFF_ROLES:  # type: ignore[attr-defined]
        return redirect("staff-home")
    return redirect("extranet-home")


@require_POST
def switch_organisation(request: HttpRequest) -> HttpResponse:
    refused = check_access(request, None)
    if refused is not None:
        return refused
    wanted = request.POST.get("organisation", "")
    allowed = {str(m.organisation_id) for m in request.memberships}  # type: ignore[attr-defined]
    if wanted in allowed:
        request.session[SESSION_ORGANISATION_KEY] = int(wanted)
    return redirect("home")


AUDIT_CSV_COLUMNS = (
    "instant",
    "actor_repr",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "before",
    "after",
    "ip_address",
)


@tenant_required(Role.ADMINISTRATOR)
def audit_log(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    form = AuditFilterForm(request.GET or None, organisation=organisation)
    entries = form.filter(AuditEntry.objects.for_organisation(organisation).select_related("actor"))
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="journal-{organisation.slug}-{clock.today():%Y%m%d}.csv"'
        )
        writer = CsvWriter(response)  # BOM, semicolons, formula-looking cells neutralised
        writer.writerow(AUDIT_CSV_COLUMNS)
        for entry in entries.iterator():
            writer.writerow(
                [
                    entry.instant.astimezone(clock.PARIS).isoformat(),
                    entry.actor_repr,
                    entry.action,
                    entry.object_type,
                    entry.object_id,
                    entry.object_repr,
                    "" if entry.before is None else _json(entry.before),
                    "" if entry.after is None else _json(entry.after),
                    entry.ip_address or "",
                ]
            )
        return response
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "core/audit_log.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


def _json(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _broker_status() -> tuple[str, bool]:
    url = settings.CELERY_BROKER_URL
    if not url:
        return "eager", True
    from kombu import Connection

    try:
        with Connection(url, connect_timeout=2, transport_options={"max_retries": 0}) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
        return "ok", True
    except Exception as exc:  # any failure means "down"; the type is in the message
        return f"error: {type(exc).__name__}", False


def _database_status() -> tuple[str, bool]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return "ok", True
    except Exception as exc:
        return f"error: {type(exc).__name__}", False


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    database, db_ok = _database_status()
    broker, broker_ok = _broker_status()
    healthy = db_ok and broker_ok
    return JsonResponse(
        {"status": "ok" if healthy else "error", "database": database, "broker": broker},
        status=200 if healthy else 503,
    )


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # Our own refusals (BadRequest) carry a French message naming the parameter; Django's
    # (request too big, too many fields, bad host) get the general French text.
    message = str(exception) if type(exception) is BadRequest else ""
    return render(request, "400.html", {"message": message}, status=400)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors: the failure may come from them or from the database.
    template = loader.get_template("500.html")
    return HttpResponse(template.render({"request_path": request.path}), status=500)
