"""Attendance speed: the trainer's sheet page (p50 / p95) with 30 learners, and 30 sealed
certificats de réalisation for a session.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ofelia_bench \\
        .venv/bin/python bench/attendance.py [--requests 200] [--learners 30]

Goals (issue 11): sheet page p95 ≤ 100 ms; 30 sealed certificates ≤ 10 s. Everything is
made inside one transaction rolled back at the end (the database is only migrated).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ofelia.config.settings.test")


class Rollback(Exception):
    pass


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--learners", type=int, default=30)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction
    from django.test import Client

    call_command("migrate", verbosity=0)
    from ofelia.attendance import documents, services
    from ofelia.attendance.models import Channel, Document
    from ofelia.attendance.tests.conftest import SIGNATURE, make_world
    from ofelia.catalogue.models import Enrolment
    from ofelia.core import clock
    from ofelia.organisations.models import Learner

    figures: dict[str, float] = {}
    try:
        with transaction.atomic():
            world = make_world(f"bench-att-{os.getpid()}")
            world.session.capacity = args.learners + 5
            world.session.save()
            for i in range(args.learners - len(world.enrolments)):
                learner = Learner.objects.create(organisation=world.org, civility="m",
                                                 first_name=f"Banc{i}", last_name=f"Essai{i}",
                                                 email=f"banc{i}@bench.example")
                world.enrolments.append(Enrolment.objects.create(
                    organisation=world.org, session=world.session, learner=learner))
            day = world.morning.day
            clock.set_clock(clock.FixedClock(datetime(day.year, day.month, day.day, 9, 10)))
            sheet = services.sheet_open(actor=world.trainer_user, organisation=world.org,
                                        slot=world.morning, trainer=world.trainer)
            for enrolment in world.enrolments[: args.learners // 2]:
                services.mark_sign(actor=world.trainer_user, organisation=world.org, sheet=sheet,
                                   enrolment=enrolment, signature=SIGNATURE,
                                   channel=Channel.TRAINER_DEVICE, ip_address="10.0.0.1",
                                   user_agent="bench")
            client = Client()
            client.force_login(world.trainer_user)
            url = f"/espace/emargement/{world.morning.pk}/"
            client.get(url)  # warm-up
            times = []
            for _ in range(args.requests):
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200
            times.sort()
            figures["sheet_p50_ms"] = statistics.median(times)
            figures["sheet_p95_ms"] = times[int(len(times) * 0.95) - 1]
            for enrolment in world.enrolments[args.learners // 2:]:
                services.mark_sign(actor=world.trainer_user, organisation=world.org, sheet=sheet,
                                   enrolment=enrolment, signature=SIGNATURE,
                                   channel=Channel.TRAINER_DEVICE, ip_address="10.0.0.1",
                                   user_agent="bench")
            started = time.perf_counter()
            services.sheet_close(actor=world.trainer_user, organisation=world.org, sheet=sheet,
                                 signature=SIGNATURE, ip_address="10.0.0.1", user_agent="bench")
            figures["sheet_close_sealed_s"] = time.perf_counter() - started
            from ofelia.attendance import selectors

            hours = selectors.hours_attended_by_enrolment(world.session)
            started = time.perf_counter()
            for enrolment in selectors.roster(world.session):
                pdf = documents.render_learner_document(Document.Kind.COMPLETION, enrolment,
                                                        hours[enrolment.pk])
                services._store(actor=None, organisation=world.org, kind=Document.Kind.COMPLETION,
                                pdf=pdf, enrolment=enrolment, hours=hours[enrolment.pk],
                                reason="Certificat de réalisation")
            figures["certificates_s"] = time.perf_counter() - started
            started = time.perf_counter()
            services.documents_generate(actor=None, organisation=world.org, session=world.session,
                                        notify=False)
            figures["all_three_documents_s"] = time.perf_counter() - started
            raise Rollback
    except Rollback:
        pass
    finally:
        clock.set_clock(clock.Clock())
    n = args.learners
    print(f"sheet page ({n} learners, QR code): p50={figures['sheet_p50_ms']:.1f} ms "
          f"p95={figures['sheet_p95_ms']:.1f} ms (goal 100 ms: "
          f"{'ok' if figures['sheet_p95_ms'] <= 100 else 'MISSED'})")
    print(f"closing the sheet (PDF + seal): {figures['sheet_close_sealed_s']:.2f} s")
    print(f"{n} sealed certificats de réalisation: {figures['certificates_s']:.2f} s (goal 10 s: "
          f"{'ok' if figures['certificates_s'] <= 10 else 'MISSED'})")
    print(f"{3 * n} end documents (bulk, sealed): {figures['all_three_documents_s']:.2f} s")
    print(f"load average: {os.getloadavg()}")
    return 0 if figures["sheet_p95_ms"] <= 100 and figures["certificates_s"] <= 10 else 1


if __name__ == "__main__":
    sys.exit(main())
