"""The pages that matter, side by side with the floor, in one run (issue 14, item 7).

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/ofelia_bench
    .venv/bin/ofelia migrate && .venv/bin/ofelia bench-data --organisations 2 \\
        --learners 20000 --sessions 4000 --enrolments-per-session 10
    .venv/bin/python bench/floor.py [--requests 200] [--seconds 8] [--no-http]

1. CPU per request, in process (Django's test client, the full middleware stack, DEBUG
   off): the floor — a bare view answering as many bytes as the page, through the same
   middleware — then the public catalogue (a visitor: served from its cache), the staff
   session list, a session roster, the enrolment API (GET) and a stored invoice PDF, each as
   a multiple of the floor of its size. Goals: public ≤ 5×, staff ≤ 15×, stored PDF ≤ 5×.
   The CPU is this process's (Python, drivers); PostgreSQL's own CPU is not counted.
2. Requests per second over HTTP on gunicorn with 2 workers at 10 and 50 clients (threads of
   this process, keep-alive off) for the floor, the public catalogue and the session list.

The host is shared: print the load average with the figures, and compare only figures of
the same run. Creates (once) an issued invoice of bench-1, kept for later runs.
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "bench")]
os.environ["DJANGO_SETTINGS_MODULE"] = "floor_settings"
os.environ.setdefault("DJANGO_DEBUG", "false")
GOALS = {"public": 5, "staff": 15, "pdf": 5}


def _invoice(org):  # type: ignore[no-untyped-def]
    from datetime import date

    from ofelia.billing.models import Invoice
    from ofelia.billing.pdf import invoice_pdf
    from ofelia.billing.services import invoice_create_draft, invoice_issue

    invoice = Invoice.objects.for_organisation(org).filter(number__gt="").first()
    if invoice is None:
        draft = invoice_create_draft(
            actor=None, organisation=org, buyer_kind="professional", buyer_name="Ateliers Martin SARL",
            buyer_address="12 avenue du Port\n44000 Nantes", buyer_siret="35600000000048",
            service_start=date(2025, 3, 3), service_end=date(2025, 3, 5), payment_delay_days=30,
            payment_terms="Paiement à 30 jours date de facture, pas d'escompte",
            late_penalty_mention="Pénalités de retard : 3 fois le taux d'intérêt légal",
            late_penalty_rule="PEN-D2",
            lines=[{"description": "Formation Excel avancé (3 jours)", "quantity": "3",
                    "unit_price": "400.00"}])
        invoice = invoice_issue(actor=None, invoice=draft)
    invoice_pdf(invoice)  # stored now if it was not
    return invoice


def cpu_per_request(client, path: str, n: int, expect: str = "") -> tuple[float, int]:  # type: ignore[no-untyped-def]
    response = client.get(path)  # warm-up (and the cache filled)
    assert response.status_code == 200, (path, response.status_code)
    assert expect in response.get("Content-Type", ""), (path, response.get("Content-Type"))
    size = len(response.content)
    started = time.process_time()
    for _ in range(n):
        client.get(path)
    return (time.process_time() - started) / n * 1000, size


def in_process(requests: int) -> tuple[dict[str, str], str]:
    import logging

    import django

    django.setup()
    logging.getLogger("factur-x").setLevel(logging.WARNING)
    logging.getLogger("facturx").setLevel(logging.WARNING)
    from django.test import Client

    from ofelia.catalogue.models import TrainingSession
    from ofelia.organisations.models import Membership, Organisation, Role

    org = Organisation.objects.get(slug="bench-1")
    staff = Membership.objects.filter(organisation=org, role=Role.STAFF).first().user  # type: ignore[union-attr]
    session = TrainingSession.objects.for_organisation(org).order_by("id").first()
    invoice = _invoice(org)
    from ofelia.catalogue.models import Training
    from ofelia.organisations import public_pages

    # The public catalogue shows what is published: a dozen of bench-1's trainings.
    if not Training.objects.for_organisation(org).filter(is_published=True).exists():
        chosen = Training.objects.for_organisation(org).order_by("id")[:12].values("id")
        Training.objects.filter(id__in=chosen).update(is_published=True)
        public_pages.bump(org.pk)
    visitor, office = Client(), Client()
    office.force_login(staff)
    pages = [
        ("public catalogue (visitor)", "public", visitor, f"/o/{org.slug}/catalogue/", "html"),
        ("staff session list", "staff", office, "/ventes/sessions/?page=3", "html"),
        ("session roster", "staff", office, f"/ventes/sessions/{session.pk}/", "html"),  # type: ignore[union-attr]
        ("enrolment API (GET)", "staff", office, f"/api/v1/sessions/{session.pk}/enrolments", "json"),  # type: ignore[union-attr]
        ("stored invoice PDF", "pdf", office, f"/facturation/factures/{invoice.pk}/document.pdf", "pdf"),
    ]
    print(f"CPU per request in process, {requests} requests each; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for label, kind, client, path, expect in pages:
        cpu, size = cpu_per_request(client, path, requests, expect)
        floor, _ = cpu_per_request(client, f"/bench/floor/{size}/", requests)
        ratio = cpu / floor
        verdict = "ok" if ratio <= GOALS[kind] else "MISSED"
        print(f"  {label:28} {cpu:6.2f} ms  floor {floor:5.2f} ms ({size // 1024 or size} "
              f"{'KB' if size >= 1024 else 'B'})  {ratio:5.1f}×  goal ≤ {GOALS[kind]}× {verdict}")
    before(visitor, org, invoice, requests)
    cookie = office.cookies["sessionid"].value
    # label: (path, signed in)
    return {"floor (visitor)": ("/bench/floor/4000/", False),
            "public catalogue (visitor)": (f"/o/{org.slug}/catalogue/", False),
            "floor (signed in)": ("/bench/floor/15000/", True),
            "staff session list": ("/ventes/sessions/?page=3", True)}, cookie


def before(visitor, org, invoice, requests: int) -> None:  # type: ignore[no-untyped-def]
    """For comparison: the catalogue without its cache, an invoice PDF rendered live."""
    from django.test import override_settings

    from ofelia.billing.pdf import render_invoice_pdf

    dummy = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    with override_settings(CACHES=dummy):
        cpu, _ = cpu_per_request(visitor, f"/o/{org.slug}/catalogue/", requests, "html")
    print(f"  {'(public catalogue uncached)':28} {cpu:6.2f} ms")
    render_invoice_pdf(invoice)
    runs = 5
    started = time.process_time()
    for _ in range(runs):
        render_invoice_pdf(invoice)
    print(f"  {'(invoice PDF rendered live)':28} {(time.process_time() - started) / runs * 1000:6.2f} ms")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def load(port: int, path: str, cookie: str | None, clients: int, seconds: float) -> tuple[float, int]:
    done, errors, lock = [0], [0], threading.Lock()
    stop = time.monotonic() + seconds

    def worker() -> None:
        while time.monotonic() < stop:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                conn.request("GET", path, headers={"Cookie": f"sessionid={cookie}"} if cookie else {})
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except OSError:
                ok = False
            finally:
                conn.close()
            with lock:
                done[0] += ok
                errors[0] += not ok

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return done[0] / (time.monotonic() - started), errors[0]


def over_http(paths: dict[str, tuple[str, bool]], cookie: str, seconds: float) -> None:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'bench'}:{ROOT / 'src'}",
           "DJANGO_SETTINGS_MODULE": "floor_settings", "DJANGO_DEBUG": "false",
           # As production: sync workers keep their connection (no PostgreSQL login per request).
           "DATABASE_CONN_MAX_AGE": os.environ.get("DATABASE_CONN_MAX_AGE", "60")}
    log = ROOT / "bench" / "out" / "floor-gunicorn.log"
    log.parent.mkdir(exist_ok=True)
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "ofelia.config.wsgi", "--workers", "2",
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        print(f"Requests per second, gunicorn 2 workers, {seconds:.0f} s per cell; load average "
              f"{os.getloadavg()[0]:.1f}")
        for label, (path, signed_in) in paths.items():
            who = cookie if signed_in else None
            load(port, path, who, 2, 1)  # warm-up: both workers, the cache filled
            cells = [load(port, path, who, clients, seconds) for clients in (10, 50)]
            print(f"  {label:28} " + "  ".join(
                f"{clients} clients {rps:6.1f}/s{f' ({errors} errors)' if errors else ''}"
                for clients, (rps, errors) in zip((10, 50), cells, strict=True)))
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--no-http", action="store_true")
    args = parser.parse_args()
    paths, cookie = in_process(args.requests)
    if not args.no_http:
        over_http(paths, cookie, args.seconds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
