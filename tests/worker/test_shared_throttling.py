"""Issue 14, item 3 across processes: three gunicorn workers on loopback share one Redis
cache, and the limits hold whichever worker answers.

Concurrent requests (10 at a time) count what was actually checked: a wrong-password answer
is a checked attempt, a « trop de tentatives » answer is not. Every loop is bounded and the
servers are stopped by the test, whatever happens.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from .processes import BIN, ROOT, free_port, gunicorn, stop
from .redis_check import redis_or_skip

pytestmark = pytest.mark.worker

REDIS_URL = os.environ.get("OFELIA_TEST_THROTTLE_REDIS_URL", "redis://127.0.0.1:6379/14")
WORKERS = 3
WRONG = "Identifiant ou mot de passe incorrect."
THROTTLED = "Trop de tentatives de connexion"
PASSWORD = "bon-mot-de-passe-42"


@pytest.fixture(scope="module")
def server(tmp_path_factory: Any) -> Iterator[dict[str, Any]]:
    store = redis_or_skip(REDIS_URL, "limites partagées non prouvables")
    for stale in store.scan_iter(match="*ofelia:rate:*", count=500):
        store.delete(stale)
    tmp = tmp_path_factory.mktemp("throttle")
    run = uuid.uuid4().hex[:8]
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_DEBUG"}}
    env.update({
        "DJANGO_SETTINGS_MODULE": "tests.worker.throttle_settings",
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "src")]),
        "OFELIA_DATA_DIR": str(tmp), "OFELIA_THROTTLE_DB": str(tmp / "db.sqlite3"),
        "OFELIA_THROTTLE_MAIL_DIR": str(tmp / "mails"), "CACHE_URL": REDIS_URL,
    })
    subprocess.run([str(BIN / "ofelia"), "migrate", "--noinput", "-v0"], env=env, check=True,
                   timeout=300, cwd=tmp)
    users = [f"t{run}-{i}@exemple.test" for i in range(20)]
    create = ("from django.contrib.auth import get_user_model as g; import sys; U = g()\n"
              f"for e in sys.argv[1:]: U.objects.create_user(username=e, email=e, password='{PASSWORD}')")
    subprocess.run([sys.executable, "-c", "import django; django.setup()\n" + create, *users],
                   env=env, check=True, timeout=120, cwd=tmp)
    port = free_port()
    proc, log = gunicorn(port, workers=WORKERS, env=env, log=tmp / "gunicorn.log", cwd=tmp,
                         extra=("--access-logfile", str(tmp / "access.log"),
                                "--access-logformat", "%(p)s %(m)s %(U)s"))
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{base}/connexion/", timeout=10).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.3)
        else:
            pytest.fail("gunicorn n'a pas démarré : " + (tmp / "gunicorn.log").read_text()[-2000:])
        yield {"base": base, "users": users, "run": run, "mails": tmp / "mails",
               "access": tmp / "access.log"}
    finally:
        stop(proc, log, timeout=20)
        for stale in store.scan_iter(match="*ofelia:rate:*", count=500):
            store.delete(stale)


def _csrf(base: str) -> str:
    page = requests.get(f"{base}/connexion/", timeout=10)
    return page.cookies["csrftoken"]


def _post(base: str, path: str, token: str, address: str, **fields: str) -> requests.Response:
    return requests.post(f"{base}{path}", data={"csrfmiddlewaretoken": token, **fields},
                         cookies={"csrftoken": token}, headers={"X-Forwarded-For": address},
                         allow_redirects=False, timeout=30)


def _at_once(calls: list[Any]) -> list[requests.Response]:
    with ThreadPoolExecutor(max_workers=10) as pool:
        return list(pool.map(lambda call: call(), calls))


def test_i14_thirty_concurrent_guesses_on_three_workers_check_exactly_five(server: dict[str, Any]) -> None:
    base, user, token = server["base"], server["users"][0], _csrf(server["base"])
    address = f"10.14.{int(server['run'][:2], 16)}.1"
    answers = _at_once([lambda: _post(base, "/connexion/", token, address, username=user,
                                      password="devine") for _ in range(30)])
    bodies = [a.text for a in answers]
    checked = sum(WRONG in b for b in bodies)
    refused = sum(THROTTLED in b for b in bodies)
    assert (checked, refused) == (5, 25)
    # Several workers answered (gunicorn logs each answer with the worker's process id).
    time.sleep(1)
    pids = {line.split()[0] for line in server["access"].read_text().splitlines()
            if " POST /connexion/" in line}
    assert len(pids) >= 2, pids
    # After the lock, the right password does not get in, 8 times out of 8.
    right = _at_once([lambda: _post(base, "/connexion/", token, address, username=user,
                                    password=PASSWORD) for _ in range(8)])
    assert [r.status_code for r in right] == [200] * 8
    assert all(THROTTLED in r.text for r in right)


def test_i14_password_sprayed_over_eighteen_accounts_is_stopped_after_ten(server: dict[str, Any]) -> None:
    base, token = server["base"], _csrf(server["base"])
    address = f"10.14.{int(server['run'][:2], 16)}.2"
    answers = _at_once([lambda u=u: _post(base, "/connexion/", token, address, username=u,
                                          password="Printemps2026!")
                        for u in server["users"][1:19]])
    bodies = [a.text for a in answers]
    assert (sum(WRONG in b for b in bodies), sum(THROTTLED in b for b in bodies)) == (10, 8)


def test_i14_twenty_password_resets_send_three_mails(server: dict[str, Any]) -> None:
    base, token = server["base"], _csrf(server["base"])
    user = server["users"][19]
    answers = _at_once([lambda i=i: _post(base, "/mot-de-passe/oubli/", token,
                                          f"10.15.{int(server['run'][:2], 16)}.{i}", email=user)
                        for i in range(20)])
    assert [a.status_code for a in answers] == [302] * 20  # the same answer for everyone
    mails = list(server["mails"].glob("*.log")) if server["mails"].exists() else []
    sent = sum(len(re.findall(r"^To: ", m.read_text(), flags=re.M)) for m in mails)
    assert sent == 3
