"""BPF speed: the bilan pédagogique et financier of one civil year over the bench data.

    createdb -h 127.0.0.1 -U postgres ofelia_bpf_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ofelia_bpf_bench \\
        .venv/bin/python bench/bpf.py [--learners 100000] [--sessions 10000] [--runs 3]

Goal (issue 11): ≤ 10 s on PostgreSQL at 100 000 learners / 10 000 sessions. The script
migrates, runs `ofelia bench-data` for ONE organisation at that scale (the BPF is per
organisation, so all the volume goes into the one report), then adds what bench-data does
not make: the half-days of the year's sessions (9:00–12:30, 13:30–17:00), closed sheets
with marks for four sessions in five (present, some late, some absent), a signed
convention per session with every enrolment and an OPCO funding every third, and one
issued invoice per contract (payers rotating, a credit note every 20th). It then times the
whole BPF page's work — `selectors.report` + `selectors.checker` — and the CSV export,
with the project clock on 1 March of the next year. Data are kept: a second run only times.
After generating, it runs ANALYZE (see below in `main`).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from datetime import time as hour
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ofelia.config.settings.test")
YEAR = 2026
BATCH = 5000


def generate(org, year: int) -> dict[str, int]:  # type: ignore[no-untyped-def]
    from django.db import transaction

    from ofelia.attendance.models import AttendanceSheet, Mark
    from ofelia.billing.models import Invoice
    from ofelia.catalogue.models import Enrolment, SessionSlot, TrainingSession
    from ofelia.organisations.models import ClientCompany
    from ofelia.sales.models import Contract, FundingEntry

    counts: dict[str, int] = {}
    with transaction.atomic():
        companies = list(ClientCompany.objects.filter(organisation=org).values_list("id", flat=True))
        ClientCompany.objects.filter(id__in=companies[::2]).update(bpf_category="company")
        sessions = list(TrainingSession.objects.filter(organisation=org, start_date__year=year)
                        .values_list("id", "start_date", "end_date", "training__title"))
        slots = []
        for session_id, start, end, _ in sessions:
            day = start
            while day <= end:
                slots.append(SessionSlot(session_id=session_id, day=day, part="morning",
                                         starts_at=hour(9), ends_at=hour(12, 30)))
                slots.append(SessionSlot(session_id=session_id, day=day, part="afternoon",
                                         starts_at=hour(13, 30), ends_at=hour(17)))
                day += timedelta(days=1)
        SessionSlot.objects.bulk_create(slots, batch_size=BATCH)
        counts["half-days"] = len(slots)
        signed = {s[0] for i, s in enumerate(sessions) if i % 5}
        slot_rows = list(SessionSlot.objects.filter(session_id__in=signed).values_list("id", "session_id"))
        AttendanceSheet.objects.bulk_create(
            [AttendanceSheet(organisation=org, slot_id=slot_id, status="closed", nonce="bench")
             for slot_id, _ in slot_rows], batch_size=BATCH)
        sheets = dict(AttendanceSheet.objects.filter(organisation=org).values_list("slot_id", "id"))
        confirmed: dict[int, list[int]] = {}
        for e_id, s_id in Enrolment.objects.filter(organisation=org, status="confirmed",
                                                   session_id__in=[s[0] for s in sessions]
                                                   ).values_list("id", "session_id"):
            confirmed.setdefault(s_id, []).append(e_id)
        marks = []
        for n, (slot_id, session_id) in enumerate(slot_rows):
            for k, e_id in enumerate(confirmed.get(session_id, [])):
                kind = (n + k) % 20
                marks.append(Mark(organisation=org, sheet_id=sheets[slot_id], enrolment_id=e_id,
                                  status="absent" if kind == 0 else "late" if kind == 1 else "present",
                                  reason="bench" if kind < 2 else "",
                                  arrived_at=hour(10) if kind == 1 else None))
        Mark.objects.bulk_create(marks, batch_size=BATCH)
        counts["marks"] = len(marks)
        contracts = [Contract(organisation=org, kind="convention", number=f"B-{session_id}",
                              status="signed", client_company_id=companies[i % len(companies)],
                              session_id=session_id, format="inter", price=Decimal("1200"),
                              hours=Decimal("14"), start_date=start, end_date=end,
                              policy_id="dixneuf", title=title, signed_on=date(year, 1, 2))
                     for i, (session_id, start, end, title) in enumerate(sessions)]
        Contract.objects.bulk_create(contracts, batch_size=BATCH)
        by_session = dict(Contract.objects.filter(organisation=org).values_list("session_id", "id"))
        through = Contract.enrolments.through
        through.objects.bulk_create(
            [through(contract_id=by_session[s], enrolment_id=e) for s, ids in confirmed.items()
             for e in ids if s in by_session], batch_size=BATCH)
        FundingEntry.objects.bulk_create(
            [FundingEntry(contract_id=c, payer="opco", amount=Decimal("800"))
             for i, c in enumerate(sorted(by_session.values())) if i % 3 == 0], batch_size=BATCH)
        payers = ["client", "opco", "cpf", "france_travail", "client", "learner"]
        invoices = []
        for i, (session_id, start, _, _) in enumerate(sessions):
            issued = min(start + timedelta(days=10), date(year, 12, 31))
            invoices.append(Invoice(
                organisation=org, kind="credit_note" if i % 20 == 19 else "invoice",
                status="issued", sequence_number=i + 1, number=f"BF-{i + 1:06d}", issue_date=issued,
                buyer_kind="professional", payer_kind=payers[i % len(payers)],
                buyer_name=f"Client {i}", client_company_id=companies[i % len(companies)],
                contract_id=by_session[session_id], total_excl_vat=Decimal(900 + i % 700),
                total_incl_vat=Decimal(900 + i % 700)))
        Invoice.objects.bulk_create(invoices, batch_size=BATCH)
        counts["invoices"] = len(invoices)
        counts["contracts"] = len(contracts)
    return counts


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from ofelia.billing.models import Invoice
    from ofelia.catalogue.models import Enrolment, TrainingSession
    from ofelia.core import clock
    from ofelia.organisations.models import Learner, Organisation
    from ofelia.quality import exports, selectors

    org = Organisation.objects.filter(slug="bench-1").first()
    if org is None or Learner.objects.filter(organisation=org).count() != args.learners:
        started = time.perf_counter()
        call_command("bench_data", organisations=1, learners=args.learners, sessions=args.sessions,
                     replace=org is not None, verbosity=0)
        org = Organisation.objects.get(slug="bench-1")
        print(f"bench-data: {time.perf_counter() - started:.1f} s")
    if not Invoice.objects.filter(organisation=org).exists():
        started = time.perf_counter()
        print("generated:", generate(org, YEAR), f"in {time.perf_counter() - started:.1f} s")
        if connection.vendor == "postgresql":
            # Fresh bulk inserts have no planner statistics yet (autovacuum gives them in
            # production); without them PostgreSQL picks nested loops and takes minutes.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
    print(f"database: {connection.vendor}; organisation {org.slug}: "
          f"{Learner.objects.filter(organisation=org).count()} learners, "
          f"{TrainingSession.objects.filter(organisation=org).count()} sessions "
          f"({TrainingSession.objects.filter(organisation=org, start_date__year=YEAR).count()} in {YEAR}), "
          f"{Enrolment.objects.filter(organisation=org).count()} enrolments")
    times, csv_times = [], []
    with clock.frozen(datetime(YEAR + 1, 3, 1, 10, 0)):
        for _ in range(args.runs):
            started = time.perf_counter()
            report, data = selectors.report(organisation=org, year=YEAR)
            problems = selectors.checker(organisation=org, year=YEAR, data=data)
            times.append(time.perf_counter() - started)
            started = time.perf_counter()
            exports.bpf_csv(report, problems)
            csv_times.append(time.perf_counter() - started)
    print(f"BPF {YEAR}: {report.trainees_total.trainees} trainees, {report.trainees_total.hours} h, "
          f"{len(data.invoices)} invoices, {report.products_total.amount} € HT, "
          f"{len(problems)} checker lines")
    print(f"report + checker: best {min(times):.2f} s, median {statistics.median(times):.2f} s "
          f"over {args.runs} runs (goal ≤ 10 s); CSV export {min(csv_times) * 1000:.0f} ms")
    return 0 if min(times) <= 10 else 1


if __name__ == "__main__":
    raise SystemExit(main())
