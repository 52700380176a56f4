"""Staff session pages on the bench data: p50 / p95 of the session list and the roster.

    DATABASE_URL=postgres://… .venv/bin/python bench/sales_pages.py [--requests 200]

Needs `ofelia bench-data` run first on that database (10 000 sessions, 100 000
enrolments). Goal (issue 4): p95 ≤ 150 ms for the roster and session pages.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ofelia.config.settings.test")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    from ofelia.catalogue.models import TrainingSession
    from ofelia.organisations.models import Membership

    user = get_user_model().objects.get(email="personnel@bench-1.ofelia.test")
    org = Membership.objects.get(user=user).organisation
    ids = list(TrainingSession.objects.for_organisation(org).values_list("id", flat=True))
    pages = max(1, len(ids) // 50)
    client = Client()
    client.force_login(user)
    rng = random.Random(4)

    def measure(label: str, urls: list[str]) -> float:
        times = []
        for url in urls:
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        times.sort()
        p95 = times[int(len(times) * 0.95) - 1]
        print(f"{label}: n={len(times)} p50={statistics.median(times):.1f} ms p95={p95:.1f} ms "
              f"(goal 150 ms: {'ok' if p95 <= 150 else 'MISSED'})")
        return p95

    client.get("/ventes/sessions/")  # warm-up
    worst = max(
        measure("session list", [f"/ventes/sessions/?page={rng.randint(1, pages)}"
                                 for _ in range(args.requests)]),
        measure("session roster", [f"/ventes/sessions/{rng.choice(ids)}/"
                                   for _ in range(args.requests)]),
    )
    return 0 if worst <= 150 else 1


if __name__ == "__main__":
    raise SystemExit(main())
