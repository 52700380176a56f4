"""Metering ledger ingest speed (issue 13: ≥ 20 000 events/s on PostgreSQL, batch insert).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ofelia_bench \\
        .venv/bin/python bench/ledger_ingest.py [--events 200000] [--batch 5000]

Builds a VIRTUALEO-like organisation and a 31-machine class once, then sends heartbeats of
every machine, one every 30 s, in batches through `ofelia.hosting.ledger.ingest` (the door
the API uses: validation, duplicate check, one bulk insert per 1 000 rows). A second pass
re-sends the first batches to time the duplicate path. The database must be migrated
(`ofelia migrate`).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ofelia.config.settings.local")
os.environ.setdefault("DJANGO_DEBUG", "false")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from ofelia.core import clock  # noqa: E402
from ofelia.hosting import ledger, services  # noqa: E402
from ofelia.hosting.models import UsageEvent, VirtualClass  # noqa: E402
from ofelia.organisations import services as org_services  # noqa: E402
from ofelia.organisations.models import Membership, Organisation, Role  # noqa: E402
from ofelia.organisations.testing import make_member, make_organisation  # noqa: E402

SLUG = "bench-ledger"
PARIS = clock.PARIS


def build() -> VirtualClass:
    org = Organisation.objects.filter(slug=SLUG).first()
    if org is None:
        org = make_organisation(slug=SLUG, legal_name="Bench ledger", policy_id="virtualeo")
        company = org_services.client_company_create(actor=None, organisation=org, name="Client bench")
        make_member(org, Role.STAFF)
        staff = Membership.objects.get(organisation=org, role=Role.STAFF)
        start = datetime(2030, 1, 7, 9, 0, tzinfo=PARIS)
        with clock.frozen(start - timedelta(days=10)):
            services.class_order(actor=staff.user, organisation=org, membership=staff, company=company,
                                 data={"title": "Bench", "mode": "scheduled", "start": start, "days": 60,
                                       "daily_hours": Decimal("9"), "learners": 30, "software": "office",
                                       "custom_configuration": ""})
    return VirtualClass.objects.get(organisation=org)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=5000)
    args = parser.parse_args()
    print(f"Base : {connection.vendor}")
    klass = build()
    UsageEvent.objects.filter(klass=klass).delete()
    machines = sorted(ledger.machine_names(klass))
    run = int(time.time())
    events = [{"event_id": f"{run}-{n}", "machine": machines[n % len(machines)], "kind": "heartbeat",
               "at": klass.start + timedelta(seconds=30 * (n // len(machines)))} for n in range(args.events)]
    batches = [events[i:i + args.batch] for i in range(0, len(events), args.batch)]
    with clock.frozen(klass.start + timedelta(days=70)):
        began = time.perf_counter()
        accepted = sum(ledger.ingest(klass=klass, events=b).accepted for b in batches)
        spent = time.perf_counter() - began
        print(f"Ingestion : {accepted} événements en {spent:.2f} s → {accepted / spent:,.0f} événements/s "
              f"(lots de {args.batch}) — objectif ≥ 20 000/s")
        began = time.perf_counter()
        again = sum(ledger.ingest(klass=klass, events=b).duplicates for b in batches[:10])
        spent = time.perf_counter() - began
        print(f"Renvoi (doublons ignorés) : {again} événements en {spent:.2f} s → {again / spent:,.0f}/s")
        began = time.perf_counter()
        found = ledger.intervals(klass)
        print(f"Lecture des intervalles : {len(found)} intervalles en {time.perf_counter() - began:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
