"""Latency of the staff home and the extranet home under concurrent load, over real HTTP.

    .venv/bin/ofelia bench-data                      # once per database (see bench/README.md)
    .venv/bin/python bench/latency.py [--threads 4] [--requests 400] [--max-seconds 120]

Starts the app on 127.0.0.1 (Django's threaded server, DEBUG off) against the database
that DATABASE_URL / OFELIA_DATA_DIR select, logs in through the login form as the bench
staff user and the bench learner, then has `--threads` clients fire `--requests` requests
in total at each home page (bounded in count and in time, loopback only). Prints p50, p95,
max and requests per second; exits 1 if any request failed.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = (
    # label, login, where that user lands
    ("staff home (/gestion/)", "staff", "/gestion/"),
    ("extranet home (/espace/)", "learner", "/espace/"),
)


@dataclass
class Sample:
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {
        "DJANGO_SETTINGS_MODULE": "ofelia.config.settings.local",
        "DJANGO_DEBUG": "false",  # no query logging, no debug pages: closer to production
        # The dev server runs each request in a thread of its own: persistent connections
        # would pile up until PostgreSQL refuses new clients.
        "DATABASE_CONN_MAX_AGE": "0",
        **os.environ,
    }
    ofelia = [sys.executable, "-m", "ofelia"]
    return subprocess.Popen(
        [*ofelia, "runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        # One access-log line per request: to a file, a pipe nobody reads would fill up.
        stderr=log.open("wb"),
    )


def wait_until_up(base: str, server: subprocess.Popen[bytes] | None, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server is not None and server.poll() is not None:
            raise SystemExit(f"le serveur s'est arrêté : {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(base + "/connexion/", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"le serveur ne répond pas sur {base} après {timeout:.0f} s")


def logged_in_opener(base: str, login: str, password: str, expected_path: str) -> urllib.request.OpenerDirector:
    """A client with its own cookies, signed in through the real login form."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(base + "/connexion/", timeout=10) as response:
        page = response.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if token is None:
        raise SystemExit("pas de jeton CSRF sur la page de connexion")
    form = urllib.parse.urlencode(
        {"username": login, "password": password, "csrfmiddlewaretoken": token.group(1)}
    ).encode()
    with opener.open(base + "/connexion/", data=form, timeout=10) as response:
        landed = urllib.parse.urlparse(response.geturl()).path
    if landed != expected_path:
        raise SystemExit(
            f"connexion de {login} : arrivé sur {landed}, attendu {expected_path} "
            "(avez-vous lancé `ofelia bench-data` sur cette base ?)"
        )
    return opener


def hammer(
    opener: urllib.request.OpenerDirector, url: str, count: int, deadline: float, sample: Sample
) -> None:
    for _ in range(count):
        if time.monotonic() > deadline:
            return
        started = time.perf_counter()
        try:
            with opener.open(url, timeout=30) as response:
                response.read()
                ok = response.status == 200 and response.geturl() == url
                problem = f"{response.status} {response.geturl()}"
        except OSError as error:  # HTTPError included
            ok, problem = False, str(error)
        elapsed = (time.perf_counter() - started) * 1000
        with sample.lock:
            if ok:
                sample.latencies_ms.append(elapsed)
            else:
                sample.errors.append(problem)


def measure(
    label: str, openers: list[urllib.request.OpenerDirector], url: str, total: int, max_seconds: float
) -> bool:
    for opener in openers:  # warm-up: templates compiled, connections opened
        for _ in range(3):
            opener.open(url, timeout=30).read()
    sample = Sample()
    share, extra = divmod(total, len(openers))
    deadline = time.monotonic() + max_seconds
    threads = [
        threading.Thread(target=hammer, args=(opener, url, share + (i < extra), deadline, sample))
        for i, opener in enumerate(openers)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    done = sorted(sample.latencies_ms)
    if len(done) < 2:
        print(f"{label}: trop peu de réponses ({len(done)}), erreurs : {sample.errors[:3]}")
        return False
    p95 = statistics.quantiles(done, n=100, method="inclusive")[94]
    print(
        f"{label:<26} n={len(done):>5}  p50={statistics.median(done):7.1f} ms  "
        f"p95={p95:7.1f} ms  max={done[-1]:7.1f} ms  {len(done) / wall:6.1f} req/s  "
        f"({len(openers)} clients, {wall:.1f} s){'  ERREURS: ' + str(len(sample.errors)) if sample.errors else ''}"
    )
    for problem in sample.errors[:3]:
        print(f"    {problem}")
    return not sample.errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=4, help="clients en parallèle (défaut 4)")
    parser.add_argument("--requests", type=int, default=400, help="requêtes par page, au total (défaut 400)")
    parser.add_argument("--max-seconds", type=float, default=120, help="durée maximale par page (défaut 120)")
    parser.add_argument("--staff", default="personnel@bench-1.ofelia.test")
    parser.add_argument("--learner", default="stagiaire@bench-1.ofelia.test")
    parser.add_argument("--password", default="ofelia-bench")
    parser.add_argument("--url", help="serveur déjà lancé (http://127.0.0.1:PORT) au lieu d'en démarrer un")
    args = parser.parse_args()
    if not 1 <= args.threads <= 32 or not 1 <= args.requests <= 100_000:
        parser.error("--threads entre 1 et 32, --requests entre 1 et 100 000")

    server = None
    log = ROOT / "bench" / "out" / "latency-server.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    if args.url:
        base = args.url.rstrip("/")
        if urllib.parse.urlparse(base).hostname not in {"127.0.0.1", "localhost", "::1"}:
            parser.error("--url : boucle locale uniquement")
    else:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(port, log)
    try:
        wait_until_up(base, server, log)
        database = os.environ.get("DATABASE_URL", "SQLite (OFELIA_DATA_DIR)").split("@")[-1]
        print(f"Ofelia sur {base}, base : {database}")
        ok = True
        users = {"staff": args.staff, "learner": args.learner}
        for label, who, path in PAGES:
            openers = [logged_in_opener(base, users[who], args.password, path) for _ in range(args.threads)]
            ok &= measure(label, openers, base + path, args.requests, args.max_seconds)
        return 0 if ok else 1
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()


if __name__ == "__main__":
    raise SystemExit(main())
