"""Availability report speed (issue 13: the monthly report of 1 000 clients in ≤ 10 s).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ofelia_bench \\
        .venv/bin/python bench/availability.py [--clients 1000] [--incidents 600]

Builds once a VIRTUALEO-like organisation `bench-availability` with `--clients` client
companies, each with an issued consumption invoice for March 2026 (the month of the summer
time change), and `--incidents` incidents in that month: one in a hundred for every client (a
maintenance announced in time), the rest for one to three named clients (outages,
maintenance announced in time or late, force majeure, third parties). Rows are bulk-inserted (a data generator, not a workflow). It then times
`availability.selectors.monthly_report` — the staff page's and the CSV's one read — and
prints how many clients fall below VCL-7's 99.95 %. The database must be migrated.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ofelia.config.settings.local")
os.environ.setdefault("DJANGO_DEBUG", "false")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

from ofelia.availability import selectors  # noqa: E402
from ofelia.availability.models import Incident  # noqa: E402
from ofelia.billing.models import DocumentKind, Invoice, InvoicePurpose, InvoiceStatus  # noqa: E402
from ofelia.core import clock  # noqa: E402
from ofelia.organisations.models import ClientCompany, Organisation  # noqa: E402
from ofelia.organisations.testing import make_organisation  # noqa: E402

SLUG = "bench-availability"
PARIS = clock.PARIS
MONTH = date(2026, 3, 1)


@transaction.atomic
def build(clients: int, incidents: int, seed: int) -> Organisation:
    org = Organisation.objects.filter(slug=SLUG).first()
    if org is not None:
        return org
    rng = random.Random(seed)
    org = make_organisation(slug=SLUG, legal_name="Bench disponibilité", policy_id="virtualeo")
    companies = ClientCompany.objects.bulk_create(
        [ClientCompany(organisation=org, name=f"Client {n:04d}") for n in range(1, clients + 1)])
    Invoice.objects.bulk_create([Invoice(
        organisation=org, kind=DocumentKind.INVOICE, status=InvoiceStatus.ISSUED, sequence_number=n,
        number=f"F-2026-{n:05d}", issue_date=date(2026, 3, 31), due_date=date(2026, 4, 30),
        service_start=MONTH, service_end=date(2026, 3, 31), buyer_kind="professional", buyer_name=c.name,
        client_company=c, vat_exempt=False, purpose=InvoicePurpose.CONSUMPTION, policy_id="virtualeo",
        total_excl_vat=Decimal(rng.randrange(500, 9000)), total_vat=ZERO, total_incl_vat=ZERO,
    ) for n, c in enumerate(companies, start=1)], batch_size=500)
    start_of = datetime(2026, 3, 1, tzinfo=PARIS).astimezone(UTC)  # minutes added in real time
    rows, named = [], []
    for n in range(incidents):
        begin = start_of + timedelta(minutes=rng.randrange(0, 31 * 24 * 60 - 300))
        everyone = n % 100 == 0
        # Platform-wide windows are announced maintenance; the rest hits a few clients.
        cause = "maintenance" if everyone else rng.choice(["outage", "outage", "maintenance", "force_majeure",
                                                           "third_party"])
        hours = 72 if everyone else rng.choice([12, 47, 48, 72])
        announced = begin - timedelta(hours=hours) if cause == "maintenance" else None
        rows.append(Incident(organisation=org, start=begin, end=begin + timedelta(minutes=rng.randrange(2, 45)),
                             cause=cause, status=Incident.Status.CONFIRMED, all_clients=everyone,
                             announced_at=announced, description=f"Bench {n}"))
        named.append([] if everyone else rng.sample(companies, rng.randrange(1, 4)))
    created = Incident.objects.bulk_create(rows, batch_size=500)
    link = Incident.companies.through
    link.objects.bulk_create([link(incident_id=i.pk, clientcompany_id=c.pk)
                              for i, chosen in zip(created, named, strict=True) for c in chosen], batch_size=1000)
    return org


ZERO = Decimal("0.00")


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--incidents", type=int, default=600)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    print(f"Base : {connection.vendor}")
    began = time.perf_counter()
    org = build(args.clients, args.incidents, args.seed)
    print(f"Données prêtes en {time.perf_counter() - began:.1f} s")
    now = datetime(2026, 4, 2, 9, 0, tzinfo=PARIS)
    spent = []
    for _ in range(3):
        began = time.perf_counter()
        report = selectors.monthly_report(organisation=org, month=MONTH, now=now)
        spent.append(time.perf_counter() - began)
    below = [r for r in report.rows if r.credit_charge is not None]
    print(f"Rapport de {selectors.month_label(MONTH)} : {len(report.rows)} clients, {len(below)} sous 99,95 %, "
          f"{sum((r.proposed_credit for r in below), ZERO)} € HT d'avoirs proposés")
    print(f"Temps : meilleur {min(spent):.2f} s, pire {max(spent):.2f} s sur {len(spent)} passages "
          "— objectif ≤ 10 s")
    return 0 if max(spent) <= 10 else 1


if __name__ == "__main__":
    raise SystemExit(main())
