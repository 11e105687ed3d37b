"""Benchmark: the public submission endpoint (issue 3: ≥ 200 submissions/s on 2 cores).

In a PostgreSQL database holding 100,000 requests in one commune (``bench/support/demarches.py``),
serves Clocher with waitress in two processes (one per core, 4 threads each: what
``clocher run`` does, twice) and drives them from a third process with keep-alive HTTP
connections:

- baseline: ``GET /healthz`` (a database query and a JSON answer through the same stack);
- ``POST /api/v1/communes/<c>/procedures/<p>/requests`` with a valid JSON submission (validation,
  sealing, numbering under a row lock, request + journal + queued acknowledgment in one
  transaction): submissions per second, median and p95 latency.

Each phase runs ``SECONDS`` seconds after a warm-up; the figures go to docs/performance.md.
Run: ``.venv/bin/python bench/demarches_submit.py`` (needs PostgreSQL, see
``CLOCHER_BENCH_DATABASE_URL`` in bench/support/demarches.py).
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.support.demarches import build_world, percentile, setup_database

REQUESTS = 100_000
SECONDS = 20.0
WARM_UP_SECONDS = 3.0
SERVERS = 2
THREADS = 4
# As many client connections as server threads: every request finds a free thread (more would
# only queue in waitress, which then logs a warning per request).
CONNECTIONS = SERVERS * THREADS
TARGET_PER_SECOND = 200


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start_servers() -> tuple[list[subprocess.Popen[bytes]], list[int]]:
    env = {
        **os.environ,
        "CLOCHER_API_RATE_LIMIT_ANONYMOUS": "100000000/min",
        "CLOCHER_DEBUG": "0",
        "CLOCHER_ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    processes, ports = [], []
    for _ in range(SERVERS):
        port = _free_port()
        command = [
            sys.executable,
            "-c",
            "import django, logging; django.setup();"
            "logging.getLogger('waitress.queue').setLevel(logging.ERROR);"
            "from waitress import serve; from clocher.config.wsgi import application;"
            f"serve(application, host='127.0.0.1', port={port}, threads={THREADS}, _quiet=True)",
        ]
        processes.append(subprocess.Popen(command, env=env))
        ports.append(port)
    deadline = time.monotonic() + 30
    for port in ports:
        while time.monotonic() < deadline:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                connection.request("GET", "/healthz")
                connection.getresponse().read()
                break
            except OSError:
                time.sleep(0.2)
    return processes, ports


def _drive(
    ports: list[int], method: str, path: str, body: bytes | None, expected: int, seconds: float
) -> tuple[float, list[float], int]:
    """Run CONNECTIONS keep-alive clients for ``seconds``: (per second, latencies, failures)."""
    stop = time.monotonic() + seconds
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    headers = {"Content-Type": "application/json", "Host": "127.0.0.1"}

    def client(port: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        bad = 0
        while time.monotonic() < stop:
            started = time.perf_counter()
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            if response.status != expected:
                bad += 1
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)
            failures[0] += bad

    began = time.monotonic()
    threads = [
        threading.Thread(target=client, args=(ports[i % len(ports)],)) for i in range(CONNECTIONS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    return len(latencies) / elapsed, latencies, failures[0]


def main() -> None:
    setup_database()
    started = time.perf_counter()
    world = build_world(REQUESTS)
    built = time.perf_counter() - started
    print(f"world: {REQUESTS:,} requests in one commune built in {built:.0f} s")
    commune, procedure = world.commune, world.procedures[0]
    from django.db import connections

    connections.close_all()
    processes, ports = _start_servers()
    try:
        submission = json.dumps(
            {
                "data": {
                    "topic": "lighting",
                    "details": "Le lampadaire devant l'église clignote depuis trois soirs.",
                    "full_name": "Camille Martin",
                    "phone": "03 80 12 34 56",
                    "place": "2 place de l'Église",
                },
                "email": "camille.martin@exemple.fr",
            }
        ).encode()
        path = f"/api/v1/communes/{commune.slug}/procedures/{procedure.slug}/requests"
        _drive(ports, "GET", "/healthz", None, 200, WARM_UP_SECONDS)
        base_rate, base_latencies, base_failures = _drive(
            ports, "GET", "/healthz", None, 200, SECONDS
        )
        _drive(ports, "POST", path, submission, 201, WARM_UP_SECONDS)
        rate, latencies, failures = _drive(ports, "POST", path, submission, 201, SECONDS)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=10)
    print(
        f"baseline GET /healthz: {base_rate:.0f}/s, median "
        f"{statistics.median(base_latencies) * 1000:.1f} ms, failures {base_failures}"
    )
    print(
        f"POST submission: {rate:.0f}/s, median {statistics.median(latencies) * 1000:.1f} ms, "
        f"p95 {percentile(latencies, 0.95) * 1000:.1f} ms, failures (not 201) {failures}"
    )
    print(f"ratio submission / baseline throughput: {rate / base_rate:.2f}")
    verdict = "meets" if rate >= TARGET_PER_SECOND and not failures else "MISSES"
    print(f"{verdict} the target of {TARGET_PER_SECOND} submissions/s")


if __name__ == "__main__":
    main()
