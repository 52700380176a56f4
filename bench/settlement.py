"""Settlement speed: the daily job over N signed contracts (goal: 10 000 in ≤ 60 s).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ofelia_bench \\
        .venv/bin/python bench/settlement.py [--contracts 10000] [--cancelled 0.1]

Creates an organisation `bench-settle` with N signed DIXNEUF conventions (bulk inserted:
the figure is the job's, not the loader's; a fresh database each time), then times
`settle_all` three times on the same day:

1. first run: every contract gets its price invoice drafted (N drafts, audited);
2. after a share of the contracts was cancelled (`--cancelled`, their price invoice issued
   beforehand): credit notes and fee invoices drafted for those;
3. a second run the same day: nothing changes (the steady state of the daily job).
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
SLUG = "bench-settle"
AS_OF = date(2027, 1, 4)


def _load(count: int) -> tuple[object, list[int]]:
    from django.db import transaction

    from ofelia.catalogue.models import Training, TrainingSession
    from ofelia.organisations.models import ClientCompany, Organisation
    from ofelia.sales.models import Contract

    org = Organisation.objects.create(
        slug=SLUG, legal_name="BENCH RÈGLEMENT SAS", siret="73282932000074",
        nda_number="52490402749", policy_id="dixneuf", address_line1="1 rue du Banc",
        postal_code="49000", city="Angers", email="compta@bench-settle.ofelia.test")
    company = ClientCompany.objects.create(
        organisation=org, name="Acme Industrie", siret="73282932000074",
        address_line1="3 avenue des Lilas", postal_code="69003", city="Lyon")
    training = Training.objects.create(
        organisation=org, title="Management d'équipe", reference="BS-1",
        duration_hours=Decimal("21"), price_excl_vat=Decimal("2400.00"))
    sessions = TrainingSession.objects.bulk_create([
        TrainingSession(organisation=org, training=training,
                        start_date=AS_OF + timedelta(days=30 + i), end_date=AS_OF + timedelta(days=32 + i),
                        place="Angers", capacity=10_000)
        for i in range(100)])
    rows = [
        Contract(organisation=org, kind="convention", number=f"BS-{n:06d}",
                 status=Contract.Status.SIGNED, client_company=company,
                 session=sessions[n % len(sessions)], format="inter", price=Decimal("2400.00"),
                 vat_rate=Decimal("0"), hours=Decimal("21"),
                 start_date=sessions[n % len(sessions)].start_date,
                 end_date=sessions[n % len(sessions)].end_date, signed_on=date(2026, 12, 1),
                 policy_id="dixneuf", policy_version="2025.08.01", title="Management d'équipe")
        for n in range(count)]
    with transaction.atomic():
        Contract.objects.bulk_create(rows, batch_size=2000)
    ids = list(Contract.objects.filter(organisation=org).order_by("id").values_list("id", flat=True))
    return org, ids


def _timed(label: str, count: int, **kwargs: object) -> dict[str, object]:
    from ofelia.billing.settlement import settle_all

    started = time.perf_counter()
    report = settle_all(**kwargs)  # type: ignore[arg-type]
    elapsed = time.perf_counter() - started
    print(f"{label}: {report['contracts']} contracts in {elapsed:.1f} s "
          f"({count / elapsed:,.0f} contracts/s), {len(report['changed'])} changed, "
          f"{len(report['problems'])} problems")
    return report


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contracts", type=int, default=10_000)
    parser.add_argument("--cancelled", type=float, default=0.1)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ofelia.config.settings.local")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from django.db import connection

    from ofelia.billing.settlement import settlement_issue
    from ofelia.organisations.models import Organisation
    from ofelia.sales.models import Contract
    from ofelia.sales.services import contract_event_record

    if Organisation.objects.filter(slug=SLUG).exists():
        # The audit log is append-only: start again on a fresh database.
        print(f"{SLUG} already exists: run on a fresh database (createdb ...)", file=sys.stderr)
        return 2
    print(f"database: {connection.vendor}")
    started = time.perf_counter()
    org, ids = _load(args.contracts)
    print(f"loaded {len(ids)} signed contracts in {time.perf_counter() - started:.1f} s")
    _timed("1. first run (a price invoice drafted per contract)", len(ids),
           as_of=AS_OF, organisation_id=org.pk)  # type: ignore[attr-defined]
    # A share of the contracts: price issued, then cancelled by the client (the job, not
    # the on-commit receiver, is what is timed here).
    from ofelia.sales import signals

    signals.contract_event_recorded.disconnect(dispatch_uid="billing.settle_event")
    cancelled = ids[: int(len(ids) * args.cancelled)]
    started = time.perf_counter()
    for pk in cancelled:
        contract = Contract.objects.get(pk=pk)
        settlement_issue(actor=None, contract=contract, on=AS_OF)
        contract_event_record(actor=None, contract=contract, type="cancellation", by="client",
                              reason="other", on=AS_OF, as_of=AS_OF)
    print(f"(set-up: {len(cancelled)} price invoices issued and contracts cancelled in "
          f"{time.perf_counter() - started:.1f} s)")
    _timed(f"2. after {len(cancelled)} cancellations (credit note + fee drafted for each)", len(ids),
           as_of=AS_OF, organisation_id=org.pk)  # type: ignore[attr-defined]
    _timed("3. second run the same day (idempotent: nothing to write)", len(ids),
           as_of=AS_OF, organisation_id=org.pk)  # type: ignore[attr-defined]
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
