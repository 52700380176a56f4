"""Simulation speed: cases per second in-process (one core) and `ofelia simulate` cold start.

    .venv/bin/python bench/simulate.py [--seconds 3] [--runs 10] [--profile]

Goals (issue 3, Speed): ≥ 20 000 training cases/s in-process; median cold start of
`ofelia simulate` ≤ 300 ms. Prints each figure and its ratio to the goal.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
CASES = ROOT / "tests" / "cases"
TRAINING_CASES = [
    "dixneuf-pro-cancellation-9-jours-francs.json",
    "dixneuf-pro-late-payment-60-days.json",
    "dixneuf-consumer-abandonment-other-reason.json",
    "formagogy-cancellation-21-days-before.json",
    "laporte-cpf-rights-short.json",
    "laporte-four-instalments.json",
]
GOAL_CASES_PER_SECOND = 20_000
GOAL_COLD_START_MS = 300.0


def in_process(seconds: float) -> float:
    from ofelia.policies import load_shipped
    from ofelia.policies.legal import load_legal_data
    from ofelia.rules.simulate import simulate

    cases = [json.loads((CASES / name).read_text(encoding="utf-8"))["input"] for name in TRAINING_CASES]
    legal = load_legal_data()
    today = date(2026, 3, 1)
    for case in cases:  # warm the caches (policy parsing, calendars, imports)
        simulate(case, today=today, policies=load_shipped, legal=legal)
    done = 0
    start = time.perf_counter()
    deadline = start + seconds
    while time.perf_counter() < deadline:
        for case in cases:
            simulate(case, today=today, policies=load_shipped, legal=legal)
        done += len(cases)
    return done / (time.perf_counter() - start)


def cold_start(runs: int) -> list[float]:
    command = shutil.which("ofelia", path=str(Path(sys.executable).parent))
    argv = [command] if command else [sys.executable, "-m", "ofelia"]
    case = str(CASES / TRAINING_CASES[0])
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run([*argv, "simulate", case], capture_output=True, env=env, check=False)
        timings.append((time.perf_counter() - start) * 1000)
        if done.returncode != 0:
            raise SystemExit(f"ofelia simulate a échoué : {done.stderr.decode()}")
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--profile", action="store_true", help="profile the in-process loop")
    args = parser.parse_args()
    if args.profile:
        import cProfile
        import pstats

        cProfile.runctx("in_process(args.seconds)", globals(), {"args": args, "in_process": in_process},
                        "/tmp/ofelia-simulate.prof")
        pstats.Stats("/tmp/ofelia-simulate.prof").sort_stats("tottime").print_stats(25)
        return 0
    rate = in_process(args.seconds)
    print(f"in-process: {rate:,.0f} training cases/s on one core "
          f"(goal {GOAL_CASES_PER_SECOND:,}/s, ratio {rate / GOAL_CASES_PER_SECOND:.2f})")
    timings = cold_start(args.runs)
    median = statistics.median(timings)
    print(f"cold start: median {median:.0f} ms over {len(timings)} runs of `ofelia simulate` "
          f"(min {min(timings):.0f}, max {max(timings):.0f}; goal ≤ {GOAL_COLD_START_MS:.0f} ms, "
          f"ratio {GOAL_COLD_START_MS / median:.2f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
