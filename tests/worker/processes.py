"""Real processes for the worker tests: free loopback ports, gunicorn and Celery workers
started with the test's environment, every one stopped by the test whatever happens."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import IO, Any

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(command: list[str], *, env: dict[str, str], log: Path, cwd: Path | None = None
          ) -> tuple[subprocess.Popen[bytes], IO[str]]:
    """A process group of its own, so that `stop` ends its children (gunicorn's, Celery's)."""
    out = log.open("w")
    process = subprocess.Popen(command, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                               start_new_session=True)
    return process, out


def stop(process: subprocess.Popen[bytes], out: IO[str] | None = None, *, timeout: float = 30) -> None:
    """Warm shutdown (SIGTERM: finish what is running), then SIGKILL if it hangs."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    if out is not None:
        out.close()


def gunicorn(port: int, *, workers: int, env: dict[str, str], log: Path, cwd: Path,
             extra: tuple[str, ...] = ()) -> tuple[subprocess.Popen[bytes], IO[str]]:
    return start([str(BIN / "gunicorn"), "ofelia.config.wsgi", "--bind", f"127.0.0.1:{port}",
                  "--workers", str(workers), "--timeout", "60", *extra], env=env, log=log, cwd=cwd)


def celery_worker(queue: str, *, env: dict[str, str], log: Path, concurrency: int = 2,
                  name: str | None = None) -> tuple[subprocess.Popen[bytes], IO[str]]:
    return start([sys.executable, "-m", "celery", "-A", "ofelia.config", "worker",
                  "--queues", queue, "--hostname", f"{name or queue}@%h",
                  "--pool", "prefork", "--concurrency", str(concurrency),
                  "--without-gossip", "--without-mingle", "--without-heartbeat",
                  "--loglevel", "INFO"], env=env, log=log)


def wait_http(url: str, *, process: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            if requests.get(url, timeout=10).status_code < 500:
                return
        except requests.RequestException:
            time.sleep(0.3)
    pytest.fail(f"{url} ne répond pas : " + log.read_text()[-2000:])


def tail(path: Path, size: int = 3000) -> Any:
    return path.read_text()[-size:] if path.exists() else ""
