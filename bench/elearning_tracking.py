"""SCORM tracking commits per second (issue 12: ≥ 500 commits/s, p95 ≤ 50 ms on PostgreSQL).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ofelia_bench_learning \\
        .venv/bin/python bench/elearning_tracking.py [--learners 1000] [--threads 8] \\
        [--commits 5000] [--max-seconds 60]

Builds (once, in its own organisation `bench-elearning`) a published course with one SCORM
module and `--learners` learners following it, then `--threads` workers send `--commits`
commits in total through the whole Django stack (middleware, session, login, the tracking
view and its service, in process: Django's test client, no socket), each to a random learner,
each with a rising sequence number, bounded in count and in time. Prints commits/s, p50,
p95, max; exits 1 if a commit failed. Also times the learner's course page (the rules core
evaluation included). Loopback only: nothing leaves the process but the database traffic.

Over real HTTP (gunicorn, 2 workers, and `wrk`, both on 127.0.0.1): `--wrk FILE` builds the
same data, logs every learner in (a session cookie each, as their browser has) and writes a
wrk Lua script that posts commits to random learners, each with a rising sequence number and
the learner's own token and cookie, and prints p50/p95/p99 at the end (see bench/README.md).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import threading
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ofelia.config.settings.local")
os.environ.setdefault("DJANGO_DEBUG", "false")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from ofelia.catalogue.models import Enrolment, Training, TrainingSession  # noqa: E402
from ofelia.core import clock  # noqa: E402
from ofelia.elearning.models import Course, CourseVersion, LearnerCourse, Module  # noqa: E402
from ofelia.elearning.tracking import tracking_token  # noqa: E402
from ofelia.organisations.models import Learner, Membership, Organisation, Role  # noqa: E402
from ofelia.organisations.testing import make_organisation  # noqa: E402

SLUG = "bench-elearning"


def build(learners: int) -> tuple[Module, list[LearnerCourse]]:
    org = Organisation.objects.filter(slug=SLUG).first()
    if org is None:
        org = make_organisation(slug=SLUG, legal_name="Bench e-learning", policy_id="laporte")
    course = Course.objects.filter(organisation=org).first()
    if course is None:
        with transaction.atomic():
            training = Training.objects.create(
                organisation=org, title="Bench", reference="BENCH-EL", modality="elearning",
                duration_hours=Decimal(10), price_excl_vat=Decimal(100))
            session = TrainingSession.objects.create(
                organisation=org, training=training, start_date=date(2030, 1, 1),
                end_date=date(2030, 1, 1), capacity=100000)
            course = Course.objects.create(organisation=org, training=training)
            version = CourseVersion.objects.create(organisation=org, course=course, number=1,
                                                   published_at=clock.now())
            Module.objects.create(organisation=org, version=version, position=1, kind="scorm",
                                  title="SCORM", scorm_root="x", scorm_launch="index.html",
                                  scorm_version="1.2")
    version = course.versions.get()
    module = version.modules.get()
    have = LearnerCourse.objects.filter(course=course).count()
    if have < learners:
        User = get_user_model()
        session = TrainingSession.objects.get(training=course.training)
        with transaction.atomic():
            users = User.objects.bulk_create([
                User(username=f"bench-el-{n}", email=f"bench-el-{n}@ofelia.test")
                for n in range(have, learners)])
            Membership.objects.bulk_create([Membership(user=u, organisation=org, role=Role.CONSUMER)
                                            for u in users])
            people = Learner.objects.bulk_create([
                Learner(organisation=org, user=u, first_name="Bench", last_name=str(n),
                        email=u.email) for n, u in enumerate(users, start=have)])
            enrolments = Enrolment.objects.bulk_create([
                Enrolment(organisation=org, session=session, learner=p) for p in people])
            LearnerCourse.objects.bulk_create([
                LearnerCourse(organisation=org, learner=p, course=course, version=version,
                              enrolment=e, first_access_at=clock.now())
                for p, e in zip(people, enrolments, strict=True)])
    lcs = list(LearnerCourse.objects.filter(course=course).select_related("learner__user")[:learners])
    return module, lcs


CMI = {"cmi": {"core": {"lesson_status": "incomplete", "session_time": "00:00:30",
                        "score": {"raw": "50"}}, "suspend_data": "x" * 800}}

WRK_LUA = """-- Generated by bench/elearning_tracking.py --wrk: SCORM commits to random learners.
local learners = {
%(rows)s
}
local cmi = [[%(cmi)s]]
local seq, step = %(base)d, 1
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("offset", #threads)
  thread:set("count", %(threads)d)
end
function init(args)
  seq = seq + (offset or 1)
  step = count or 1
  math.randomseed(os.time() + (offset or 1))
end
function request()
  local l = learners[math.random(#learners)]
  seq = seq + step
  local body = '{"attempt":1,"seq":' .. string.format("%%d", seq) .. ',"token":"' .. l[3] .. '","cmi":' .. cmi .. '}'
  return wrk.format("POST", l[1], {["Content-Type"] = "application/json", ["Cookie"] = l[2]}, body)
end
local errors = 0
function response(status, headers, body)
  if status ~= 200 then
    errors = errors + 1
    if errors <= 3 then print("status " .. status .. " " .. string.sub(body, 1, 200)) end
  end
end
function done(summary, latency, requests)
  io.write(string.format("commits: %%d in %%.1f s = %%.0f/s ; p50 %%.1f ms, p95 %%.1f ms, p99 %%.1f ms, max %%.1f ms ; non-2xx %%d, socket errors %%d\\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, summary.errors.status, summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout))
end
"""


def write_wrk_script(path: Path, module: Module, lcs: list[LearnerCourse], threads: int = 8) -> None:
    rows = []
    for lc in lcs:
        client = Client()
        client.force_login(lc.learner.user)
        cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        url = reverse("elearning:my-tracking", args=[lc.pk, module.pk])
        token = tracking_token(learner_course=lc, module=module, user=lc.learner.user,
                               session_key=client.session.session_key)
        rows.append(f'  {{"{url}", "{cookie}", "{token}"}},')
    path.write_text(WRK_LUA % {"rows": "\n".join(rows), "cmi": json.dumps(CMI),
                               "base": int(time.time() * 1000) * 1000, "threads": threads})
    print(f"Script wrk écrit : {path} ({len(rows)} stagiaires)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--commits", type=int, default=5000)
    parser.add_argument("--max-seconds", type=float, default=60)
    parser.add_argument("--wrk", type=Path, help="write a wrk Lua script for these learners and stop")
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["*"]
    print(f"Base : {connection.vendor} ({settings.DATABASES['default'].get('NAME')})")
    module, lcs = build(args.learners)
    if args.wrk:
        write_wrk_script(args.wrk, module, lcs)
        return 0
    print(f"{len(lcs)} stagiaires suivent le parcours ; {args.threads} fils, {args.commits} envois.")
    # One logged-in client per learner, as many browsers would be; seq per learner rises.
    lock = threading.Lock()
    seqs = {lc.pk: int(time.time() * 1000) for lc in lcs}
    latencies: list[float] = []
    errors: list[str] = []
    remaining = [args.commits]
    deadline = time.monotonic() + args.max_seconds

    def worker(mine: list[LearnerCourse]) -> None:
        clients = {}
        rng = random.Random(threading.get_ident())
        try:
            while time.monotonic() < deadline:
                with lock:
                    if remaining[0] <= 0:
                        return
                    remaining[0] -= 1
                lc = rng.choice(mine)
                client = clients.get(lc.pk)
                if client is None:
                    client = clients[lc.pk] = Client()
                    client.force_login(lc.learner.user)
                seqs[lc.pk] += 1
                body = json.dumps({
                    "attempt": 1, "seq": seqs[lc.pk],
                    "token": tracking_token(learner_course=lc, module=module, user=lc.learner.user,
                                            session_key=client.session.session_key),
                    "cmi": CMI})
                url = reverse("elearning:my-tracking", args=[lc.pk, module.pk])
                started = time.perf_counter()
                response = client.post(url, body, content_type="application/json")
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    latencies.append(elapsed)
                    if response.status_code != 200:
                        errors.append(f"{response.status_code} {response.content[:200]!r}")
        finally:
            connection.close()

    chunks = [lcs[i::args.threads] for i in range(args.threads)]
    threads = [threading.Thread(target=worker, args=(c,)) for c in chunks if c]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - started
    if not latencies:
        print("Aucun envoi mesuré.")
        return 1
    latencies.sort()
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    print(f"Envois de suivi : {len(latencies)} en {wall:.1f} s = {len(latencies) / wall:.0f}/s ; "
          f"p50 {statistics.median(latencies):.1f} ms, p95 {p95:.1f} ms, max {latencies[-1]:.1f} ms")
    if errors:
        print(f"{len(errors)} échec(s), par exemple : {errors[0]}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
