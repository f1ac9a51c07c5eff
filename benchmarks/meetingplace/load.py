# ruff: noqa: S603, S607 - runs PostgreSQL tools, manage.py and gunicorn with fixed arguments
"""Load on the public calendar and the registration API, over loopback, against PostgreSQL and
gunicorn (a production server, not runserver), beside the same server's trivial endpoint
(/healthz). Reports throughput and latency percentiles, median of several runs.

Run (PostgreSQL on 127.0.0.1:5432, trust auth; takes a few minutes):
    .venv/bin/python benchmarks/meetingplace/load.py [--workers 2] [--clients 16] [--seconds 10] [--runs 3]

It creates (and at the end drops) the database ``samverkan_bench``. The load generator runs on
the same 2-core machine as the server, so absolute numbers are low; compare the endpoints."""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PY = str(ROOT / ".venv" / "bin" / "python")
PORT = 8765
DB = "samverkan_bench"


def env() -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB}",
        "SECRET_KEY": "bench-" + "x" * 40,
        "AUDIT_CHAIN_KEY": "bench-" + "y" * 40,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "False",
        "SECURE_HSTS_SECONDS": "0",
        "MEETINGPLACE_EMBEDDINGS": "False",
    }


def prepare() -> int:
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", DB], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", DB], check=True)
    subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env(), check=True)
    # the production static files (hashed names, as whitenoise serves them in production)
    subprocess.run(
        [PY, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env(), check=True
    )
    code = (
        "from samverkan.meetingplace.demo import load_demo;"
        "from samverkan.organisations.demo import load_demo as orgs;"
        "orgs(); load_demo();"
        "from samverkan.meetingplace.models import Session; s = Session.objects.order_by('pk').first();"
        "Session.objects.filter(pk=s.pk).update(capacity=10**6); print(s.pk)"
    )
    out = subprocess.run(
        [PY, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env(),
        check=True,
        capture_output=True,
        text=True,
    )
    return int(out.stdout.strip().splitlines()[-1])


def drive(method: str, path: str, body_for, clients: int, seconds: float) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop = time.perf_counter() + seconds
    counter = iter(range(10**9))

    def client() -> None:
        nonlocal errors
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        mine = []
        bad = 0
        while time.perf_counter() < stop:
            body = body_for(next(counter)) if body_for else None
            headers = {"Content-Type": "application/json"} if body else {}
            start = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                ok = response.status < 400
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
            mine.append(time.perf_counter() - start)
            bad += not ok
        with lock:
            latencies.extend(mine)
            errors += bad

    threads = [threading.Thread(target=client) for _ in range(clients)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    latencies.sort()
    return {
        "rps": len(latencies) / elapsed,
        "p50": latencies[len(latencies) // 2] * 1000,
        "p95": latencies[int(len(latencies) * 0.95)] * 1000,
        "errors": errors,
        "requests": len(latencies),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    session_id = prepare()
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "config.wsgi",
            "-w",
            str(args.workers),
            "-b",
            f"127.0.0.1:{PORT}",
            "--access-logfile",
            "/dev/null",
            "--error-logfile",
            "-",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env(),
    )
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", PORT, timeout=1).request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.1)
        run_id = str(int(time.time()))
        endpoints = [
            ("trivial: GET /healthz", "GET", "/healthz", None),
            ("calendar: GET /meetingplace/", "GET", "/meetingplace/", None),
            ("calendar API: GET /api/v1/meetingplace/sessions", "GET", "/api/v1/meetingplace/sessions", None),
            (
                "registration API: POST …/registrations",
                "POST",
                f"/api/v1/meetingplace/sessions/{session_id}/registrations",
                lambda n: json.dumps(
                    {
                        "name": f"Bench {n}",
                        "email": f"bench-{run_id}-{n}-{time.perf_counter_ns()}@example.invalid",
                    }
                ),
            ),
        ]
        print(
            f"machine: {platform.machine()}, {os.cpu_count()} cores; gunicorn {args.workers} workers (sync); "
            f"{args.clients} clients x {args.seconds:.0f} s; median of {args.runs} runs"
        )
        print("| endpoint | requests/s | p50 ms | p95 ms | errors |")
        print("|---|---|---|---|---|")
        for name, method, path, body in endpoints:
            drive(method, path, body, args.clients, 2)  # warm-up
            results = [drive(method, path, body, args.clients, args.seconds) for _ in range(args.runs)]
            med = {k: statistics.median(r[k] for r in results) for k in ("rps", "p50", "p95", "errors")}
            print(
                f"| {name} | {med['rps']:.0f} | {med['p50']:.1f} | {med['p95']:.1f} | {med['errors']:.0f} |"
            )
            sys.stdout.flush()
    finally:
        server.terminate()
        server.wait(timeout=30)
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", DB], check=False)


if __name__ == "__main__":
    main()
