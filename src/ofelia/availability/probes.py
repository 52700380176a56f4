"""The platform probes itself once a minute (issue 13 item 5, item 7: any number of workers).

Three services: the health page over HTTP (`OFELIA_HEALTH_URL`, else the health view called
in-process when no public address is configured), the database and the broker (the same
checks as the health page). One row per minute and per service: the unique constraint makes
a retried or concurrent probe of the same minute a no-op. A failing minute opens a suspected
incident (all clients) in every organisation that hosts virtual classes; the first healthy
minute closes it; staff confirm or dismiss it. Raw rows older than `RAW_MONTHS` months are
folded into monthly aggregates."""

from __future__ import annotations

import json
import time
import urllib.request
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q

from ofelia.core import clock
from ofelia.core.views import _broker_status, _database_status, healthz
from ofelia.hosting.rules_io import policy_at
from ofelia.organisations.models import Organisation
from ofelia.rules.calendars import add_months

from .models import Incident, Probe, ProbeMonth, Service

RAW_MONTHS = 3
HTTP_TIMEOUT = 5


@dataclass(frozen=True)
class Check:
    service: str
    ok: bool
    latency_ms: int
    detail: str


def _timed(service: str, probe: Any) -> Check:
    began = time.monotonic()
    try:
        ok, detail = probe()
    except Exception as exc:  # a probe that raises is a failed probe, named by its type
        ok, detail = False, f"erreur : {type(exc).__name__}"
    return Check(service, ok, int((time.monotonic() - began) * 1000), detail[:200])


def _http() -> tuple[bool, str]:
    url = getattr(settings, "OFELIA_HEALTH_URL", "")
    if not url:
        from django.test import RequestFactory

        response = healthz(RequestFactory().get("/healthz"))
        return response.status_code == 200, f"appel interne : HTTP {response.status_code}"
    request = urllib.request.Request(url, headers={"User-Agent": "ofelia-probe"})  # noqa: S310 — the operator's URL
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as answer:  # noqa: S310
            body = json.loads(answer.read(2048) or b"{}")
            return answer.status == 200 and body.get("status") == "ok", f"HTTP {answer.status}"
    except urllib.error.HTTPError as exc:
        return False, f"HTTP {exc.code}"


def _status(probe: Any) -> Any:
    def run() -> tuple[bool, str]:
        text, ok = probe()
        return ok, text
    return run


def run_checks() -> list[Check]:
    return [_timed(Service.HTTP, _http), _timed(Service.DATABASE, _status(_database_status)),
            _timed(Service.BROKER, _status(_broker_status))]


def record(minute: datetime, checks: list[Check]) -> bool:
    """Store the minute's checks; False (nothing written) when the minute is already stored."""
    try:
        with transaction.atomic():
            Probe.objects.bulk_create([Probe(minute=minute, service=c.service, ok=c.ok, latency_ms=c.latency_ms,
                                             detail=c.detail) for c in checks])
    except IntegrityError:
        return False
    return True


def hosting_organisations(now: datetime) -> list[Organisation]:
    return [o for o in Organisation.objects.exclude(policy_id="").exclude(policy_id__isnull=True)
            if policy_at(o, now) is not None]


@transaction.atomic
def follow_up(minute: datetime, checks: list[Check]) -> int:
    """Open a suspected incident on a failed minute, close it on the first healthy one.
    Returns the number of incidents opened or closed."""
    failed = [c for c in checks if not c.ok]
    changed = 0
    for organisation in hosting_organisations(minute):
        open_ = (Incident.objects.for_organisation(organisation).select_for_update()
                 .filter(status=Incident.Status.SUSPECTED, end__isnull=True).first())
        if failed and open_ is None:
            Incident.objects.create(
                organisation=organisation, start=minute, cause=Incident.Cause.OUTAGE,
                status=Incident.Status.SUSPECTED, all_clients=True,
                services=", ".join(Service(c.service).label for c in failed),
                description="Ouvert par les sondes : " + " ; ".join(
                    f"{Service(c.service).label} ({c.detail})" for c in failed))
            changed += 1
        elif not failed and open_ is not None:
            open_.end = minute
            open_.save(update_fields=["end", "updated_at"])
            changed += 1
    return changed


def probe_minute(now: datetime | None = None) -> bool:
    """One probe of the current minute; idempotent per minute (True when it was stored)."""
    minute = (now or clock.now()).replace(second=0, microsecond=0)
    checks = run_checks()
    if not record(minute, checks):
        return False
    follow_up(minute, checks)
    return True


@transaction.atomic
def compact(today: date | None = None) -> int:
    """Fold the raw probes of the months older than `RAW_MONTHS` into `ProbeMonth` and delete
    them; returns the rows folded. Running it twice adds nothing (the rows are gone)."""
    today = today or clock.today()
    cutoff_month = add_months(today.replace(day=1), -RAW_MONTHS)
    cutoff = datetime.combine(cutoff_month, datetime.min.time(), tzinfo=clock.PARIS)
    old = Probe.objects.filter(minute__lt=cutoff)
    from django.db.models.functions import TruncMonth

    folded = 0
    rows = (old.annotate(month=TruncMonth("minute", tzinfo=clock.PARIS)).values("month", "service")
            .annotate(probes=Count("pk"), failures=Count("pk", filter=Q(ok=False))))
    for row in rows:
        month = row["month"].date() if isinstance(row["month"], datetime) else row["month"]
        aggregate, _ = ProbeMonth.objects.select_for_update().get_or_create(month=month, service=row["service"])
        aggregate.probes += row["probes"]
        aggregate.failures += row["failures"]
        aggregate.save()
        folded += row["probes"]
    old.delete()
    return folded
