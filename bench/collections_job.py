"""Collections speed: the daily job over N open, overdue invoices on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ofelia_bench \\
        .venv/bin/python bench/collections_job.py [--invoices 100000]

Goal (issue 5): 100 000 open invoices in ≤ 60 s. The database is migrated, the invoices
are generated in bulk (two organisations, DIXNEUF professional and consumer terms, and
VIRTUALEO; one in five half paid by a dated transfer), then the job runs three times: the
first run writes every penalty and dunning step (each step with its audit row), the second
(same day) must write nothing, the third (the next day) rewrites every penalty as the
interest grows. Prints the figures, the ratio to the goal and the load average.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
GOAL_SECONDS = 60.0


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ofelia.config.settings.local")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def generate(count: int) -> None:
    from django.db import transaction

    from ofelia.billing.models import (
        DunningStep,
        Invoice,
        InvoiceSequence,
        Payment,
        PaymentAllocation,
        PenaltyAssessment,
    )
    from ofelia.billing.services import seller_snapshot
    from ofelia.billing.terms import invoice_terms
    from ofelia.organisations.models import Organisation

    with transaction.atomic():
        DunningStep.objects.filter(organisation__slug__startswith="bench-").delete()
        PenaltyAssessment.objects.filter(organisation__slug__startswith="bench-").delete()
        PaymentAllocation.objects.filter(organisation__slug__startswith="bench-").delete()
        Payment.objects.filter(organisation__slug__startswith="bench-").delete()
        Invoice.objects.filter(organisation__slug__startswith="bench-").update(status="draft")
        Invoice.objects.filter(organisation__slug__startswith="bench-").delete()
        InvoiceSequence.objects.filter(organisation__slug__startswith="bench-").delete()
    profiles = [("bench-dixneuf", "dixneuf", "professional"), ("bench-dixneuf", "dixneuf", "consumer"),
                ("bench-virtualeo", "virtualeo", "professional")]
    orgs = {}
    for slug, policy, _ in profiles:
        orgs[slug] = orgs.get(slug) or Organisation.objects.get_or_create(
            slug=slug, defaults={"legal_name": slug.upper(), "siret": "73282932000074",
                                 "nda_number": "52490402749", "policy_id": policy,
                                 "address_line1": "1 rue du Banc", "postal_code": "49000",
                                 "city": "Angers"})[0]
    first_day = date(2025, 8, 1)
    numbers: dict[str, int] = {}
    batch = []
    for i in range(count):
        slug, policy, kind = profiles[i % len(profiles)]
        org = orgs[slug]
        issued = first_day + timedelta(days=(i * 7) % 120)  # 1 Aug – 28 Nov 2025
        terms = invoice_terms(policy_id=policy, buyer_kind=kind, on=issued)
        numbers[slug] = numbers.get(slug, 0) + 1
        total = Decimal(300 + (i % 2000)) + Decimal(i % 100) / 100
        batch.append(Invoice(
            organisation=org, kind="invoice", status="issued", sequence_number=numbers[slug],
            number=f"F-{numbers[slug]:06d}", issue_date=issued,
            due_date=issued + timedelta(days=terms.payment_delay_days), buyer_kind=kind,
            buyer_name=f"Client {i}", buyer_address="1 rue X\n49000 Angers",
            seller=seller_snapshot(org), payment_terms=terms.payment_terms,
            late_penalty_mention=terms.late_penalty_mention, late_penalty_rule=terms.late_penalty_rule,
            recovery_fee_applies=terms.recovery_fee_applies, policy_id=terms.policy_id,
            policy_version=terms.policy_version, total_excl_vat=total, total_incl_vat=total,
            amount_paid=Decimal(0) if i % 5 else half(total), service_start=issued,
        ))
        if len(batch) == 5000:
            save(batch)
            batch = []
    save(batch)


def half(total: Decimal) -> Decimal:
    return (total / 2).quantize(Decimal("0.01"))


def save(invoices: list) -> None:
    """The invoices, and for each partly paid one its dated transfer (half, 20 days late)."""
    from ofelia.billing.models import Invoice, Payment, PaymentAllocation

    Invoice.objects.bulk_create(invoices)
    paid = [x for x in invoices if x.amount_paid]
    payments = Payment.objects.bulk_create([Payment(
        organisation_id=x.organisation_id, method="transfer", amount=x.amount_paid,
        allocated=x.amount_paid, received_on=x.due_date + timedelta(days=20),
        reference=x.number) for x in paid])
    PaymentAllocation.objects.bulk_create([PaymentAllocation(
        organisation_id=x.organisation_id, payment=p, invoice=x, amount=x.amount_paid)
        for x, p in zip(paid, payments, strict=True)])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--invoices", type=int, default=100_000)
    parser.add_argument("--as-of", default="2026-02-15")
    args = parser.parse_args()
    setup_django()
    from django.db import connection

    from ofelia.billing.collections import run_collections
    from ofelia.billing.models import DunningStep, PenaltyAssessment

    if connection.vendor != "postgresql":
        print("warning: not PostgreSQL; the goal is stated for PostgreSQL", file=sys.stderr)
    started = time.perf_counter()
    generate(args.invoices)
    print(f"generated {args.invoices} open invoices in {time.perf_counter() - started:.1f} s")
    if connection.vendor == "postgresql":
        # The regenerated tables' dead rows and statistics, settled before timing.
        with connection.cursor() as cursor:
            for table in ("billing_invoice", "billing_payment", "billing_paymentallocation",
                          "billing_penaltyassessment", "billing_dunningstep", "core_auditentry"):
                cursor.execute(f"VACUUM ANALYZE {table}")
    print(f"load average before the runs: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    as_of = date.fromisoformat(args.as_of)
    for label, day in (("first run", as_of), ("second run (same day)", as_of),
                       ("next day (every penalty grows)", as_of + timedelta(days=1))):
        started = time.perf_counter()
        report = run_collections(as_of=day)
        elapsed = time.perf_counter() - started
        print(f"{label}: {report.invoices} overdue invoices, {report.penalties_written} penalties "
              f"written, {report.steps_created} dunning steps created, {len(report.problems or [])} "
              f"problems in {elapsed:.1f} s ({report.invoices / elapsed:,.0f} invoices/s; goal "
              f"{GOAL_SECONDS:.0f} s, ratio {elapsed / GOAL_SECONDS:.2f})")
    print(f"rows: {PenaltyAssessment.objects.count()} penalties, {DunningStep.objects.count()} steps; "
          f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
