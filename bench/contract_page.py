"""The contract page (the hub) with 20 events and 10 invoices: p50 / p95 on the bench data.

    DATABASE_URL=postgres://… .venv/bin/python bench/contract_page.py [--requests 200]

Needs `ofelia bench-data` run first on that database. Builds, inside a transaction rolled
back at the end, a signed convention of bench-1 for 2 learners with 20 recorded events
(schedule changes and remote switches under DIXNEUF's terms, each evaluated by the rules
core as staff would record it) and 10 invoices pointing at it; then requests the contract
page (`sales:contract-detail`, which evaluates the "if the client stopped today" preview over
the 20 events) and the billing page of the contract (and the htmx billing panel when
`billing:contract-panel` exists). Goal (issue 9): contract page p95 ≤ 150 ms on PostgreSQL.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ofelia.config.settings.test")

GOAL_MS = 150


def build(org, user):  # type: ignore[no-untyped-def]
    """A signed convention, its 2 learners, 20 events and 10 invoices (caller rolls back)."""
    from ofelia.billing.models import Invoice
    from ofelia.catalogue.models import Training, TrainingSession
    from ofelia.catalogue.seats import enrolment_create
    from ofelia.core import clock
    from ofelia.organisations.models import ClientCompany, Learner
    from ofelia.sales import services

    if not org.policy_id:  # bench organisations have no terms: DIXNEUF's, rolled back too
        org.policy_id = "dixneuf"
        org.save(update_fields=["policy_id"])
    today = clock.today()
    training = Training.objects.for_organisation(org).first()
    start = today + timedelta(days=200)
    session = TrainingSession.objects.create(
        organisation=org, training=training, start_date=start, end_date=start + timedelta(days=2),
        place="Salle bench", capacity=12)
    company = ClientCompany.objects.for_organisation(org).first()
    learners = list(Learner.objects.for_organisation(org).filter(company=company)[:2])
    enrolments = [enrolment_create(actor=user, organisation=org, session=session, learner=le)
                  for le in learners]
    with clock.frozen(datetime.combine(today - timedelta(days=30), datetime.min.time())):
        contract = services.contract_create(
            actor=user, organisation=org, session=session, client_company=company,
            enrolments=enrolments, objectives="Savoir animer une équipe.",
            programme="Jour 1 : rôles. Jour 2 : entretiens.", means="Salle équipée.",
            follow_up="Émargement par demi-journée.", assessment="Mise en situation.",
            trainers="Anne Leroy, consultante.", prerequisites="Aucun.",
            payment_terms="Virement à 30 jours.")
        contract = services.contract_sign(actor=user, contract=contract,
                                          accepted_by_name=str(company), method="signed_document")
    for n in range(20):
        on = today - timedelta(days=29 - n)
        with clock.frozen(datetime.combine(on, datetime.min.time())):
            services.contract_event_record(
                actor=user, contract=contract, on=on,
                type="schedule_change" if n % 2 else "remote_switch", note=f"Événement {n + 1}")
    fields = {f.name for f in Invoice._meta.get_fields()}
    for n in range(10):
        extra = {"contract": contract} if "contract" in fields else {}
        Invoice.objects.create(
            organisation=org, buyer_kind="company", payer_kind="client", buyer_name=str(company),
            client_company=company, source_reference=contract.number,
            issue_date=today - timedelta(days=n), due_date=today + timedelta(days=30 - n),
            reason=f"Facture bench {n + 1}", **extra)
    return contract


def measure(client, label: str, url: str, runs: int) -> float:  # type: ignore[no-untyped-def]
    for _ in range(3):  # warm-up: templates compiled, policies cached
        client.get(url)
    times, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    times.sort()
    p95 = statistics.quantiles(times, n=100, method="inclusive")[94]
    # CPU time of this process: what the page costs, whatever else loads the machine.
    print(f"{label:<32} n={len(times)} p50={statistics.median(times):6.1f} ms "
          f"p95={p95:6.1f} ms max={times[-1]:6.1f} ms (CPU p50 {statistics.median(cpu):5.1f} ms)")
    return p95


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    if not 10 <= args.requests <= 10_000:
        parser.error("--requests entre 10 et 10 000")

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import NoReverseMatch, reverse

    from ofelia.organisations.models import Membership

    user = get_user_model().objects.get(email="personnel@bench-1.ofelia.test")
    org = Membership.objects.get(user=user).organisation
    client = Client()
    client.force_login(user)
    print(f"base : {connection.vendor} {connection.settings_dict.get('NAME')}")
    with transaction.atomic():
        contract = build(org, user)
        assert contract.events.count() == 20
        page = reverse("sales:contract-detail", args=[contract.pk])
        with CaptureQueriesContext(connection) as queries:
            client.get(page)
        print(f"contract page: {len(queries)} queries")
        p95 = measure(client, "contract page (hub)", page, args.requests)
        measure(client, "contract billing page", reverse("billing:contract-billing",
                                                         args=[contract.pk]), args.requests // 2)
        try:
            panel = reverse("billing:contract-panel", args=[contract.pk])
        except NoReverseMatch:
            print("billing panel: not on this branch (billing:contract-panel)")
        else:
            measure(client, "billing panel (htmx)", panel, args.requests // 2)
        transaction.set_rollback(True)
    print(f"goal p95 ≤ {GOAL_MS} ms for the contract page: {'ok' if p95 <= GOAL_MS else 'MISSED'}")
    return 0 if p95 <= GOAL_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
