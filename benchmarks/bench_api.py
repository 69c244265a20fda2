"""REST API throughput with 8 concurrent clients against gunicorn (1 and 2 sync workers), and the queries per request.

Runs on the generated network only (``python -m benchmarks api``; there is no standalone data of its own). A
partner-system token of the first biobank (``view_specimens``, ``view_catalog``) is made by the service; then, for 1
and 2 workers, ``gunicorn biobank.wsgi`` is started on a free loopback port against the run's database (DEBUG off,
the throttle raised out of the way, connections kept for 60 s as production keeps them) and 8 threads, each with
its own keep-alive ``http.client`` connection, request one endpoint as fast as they can for a fixed time:

- specimen list, ``GET /api/v1/specimens/?page_size=50``; specimen detail, ``GET /api/v1/specimens/<barcode>/``
  (barcodes cycled); catalogue search, ``GET /api/v1/catalog/collections/?material=SERUM``;
- baseline in the same run: ``GET /healthz`` (the same server, workers and clients, no database, no
  authentication) — what the HTTP stack itself allows on this machine.

Queries per request: each endpoint once in-process (DRF's test client, ``CaptureQueriesContext``), the specimen
list at page sizes 10, 50 and 200 (the target is the same count whatever the page size). Target (issue 15):
specimen list ≥ 300 req/s and ≤ 6 queries per request.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from benchmarks import QueryCount, Result, Target, benchmark

CLIENTS = 8
REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url() -> str:
    """The run's database as a URL (a unix-socket host, as the embedded PostgreSQL's, quoted)."""
    from urllib.parse import quote

    from django.db import connection

    s = connection.settings_dict
    auth = quote(s["USER"] or "", safe="") + (f":{quote(s['PASSWORD'], safe='')}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{quote(s['HOST'] or '127.0.0.1', safe='')}:{s['PORT'] or 5432}/{s['NAME']}"


def serve(workers: int, port: int) -> subprocess.Popen[bytes]:
    """gunicorn on the run's database; waits until ``/healthz`` answers."""
    from django.conf import settings

    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "biobank.settings.dev"),
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "API_THROTTLE_RATE": "100000000/second",
        # as production runs (biobank.settings.production): each worker keeps its connection instead of opening one
        # per request, which halved the list's throughput (docs/performance.md, "Fourth pass")
        "DATABASE_CONN_MAX_AGE": os.environ.get("DATABASE_CONN_MAX_AGE", "60"),
        "AUDIT_HMAC_KEY_FILE": str(settings.AUDIT_HMAC_KEY_FILE),
        "PSEUDONYM_KEY_FILE": str(settings.PSEUDONYM_KEY_FILE),
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "biobank.wsgi:application", "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", "--access-logfile", "/dev/null"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {server.stderr.read().decode()[-2000:] if server.stderr else ''}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise RuntimeError("gunicorn did not answer /healthz within 120 s")


def stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def load(port: int, paths: list[str], headers: dict[str, str], seconds: float) -> tuple[int, float, int]:
    """``CLIENTS`` threads requesting ``paths`` (cycled) for ``seconds`` (and until each had an answer): (answered
    requests, elapsed, errors)."""
    done = [0] * CLIENTS
    errors = [0] * CLIENTS
    start_line = threading.Barrier(CLIENTS + 1)
    stop_at = [0.0]

    def client(number: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        start_line.wait()
        n = number
        # until the time is up, and at least one answer each (a loaded machine may take seconds per request)
        while (time.perf_counter() < stop_at[0] or not done[number]) and errors[number] < 100:
            try:
                connection.request("GET", paths[n % len(paths)], headers=headers)
                response = connection.getresponse()
                response.read()
                if response.status == 200:
                    done[number] += 1
                else:
                    errors[number] += 1
            except (OSError, http.client.HTTPException):
                errors[number] += 1
                connection.close()
            n += CLIENTS
        connection.close()

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    started = time.perf_counter()
    stop_at[0] = started + seconds
    start_line.wait()
    for thread in threads:
        thread.join()
    return sum(done), time.perf_counter() - started, sum(errors)


def query_counts(secret: str, paths: dict[str, str]) -> dict[str, tuple[int, float]]:
    """Each path once in-process: (queries, seconds)."""
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    counts = {}
    for label, path in paths.items():
        client.get(path)  # warm
        with QueryCount() as queries:
            start = time.perf_counter()
            response = client.get(path)
            elapsed = time.perf_counter() - start
        assert response.status_code == 200, (path, response.status_code, response.content[:300])
        counts[label] = (len(queries), elapsed)
    return counts


@benchmark("api")
def api_benchmark(world: Any) -> list[Result]:
    """REST API req/s with 8 clients against gunicorn (1 and 2 workers): specimen list/detail, catalogue search."""
    from django.utils import timezone

    from biobank.accounts.api_tokens import api_token_create
    from biobank.api.throttling import PrincipalRateThrottle
    from specimens.models import Specimen

    PrincipalRateThrottle.rate = "100000000/s"  # the in-process query counts are not a flood either
    biobank = world.biobank()
    _token, secret = api_token_create(
        actor=None, biobank=biobank, name="bench-api", permissions=["view_specimens", "view_catalog"],
        expires_at=timezone.now() + timedelta(days=1),
    )  # fmt: skip
    barcodes = list(Specimen.objects.filter(biobank=biobank).order_by("pk").values_list("barcode", flat=True)[:200])
    endpoints = {
        "specimen list (page of 50)": ["/api/v1/specimens/?page_size=50"],
        "specimen detail": [f"/api/v1/specimens/{barcode}/" for barcode in barcodes],
        "catalogue search": ["/api/v1/catalog/collections/?material=SERUM"],
    }
    counts = query_counts(secret, {
        **{label: paths[0] for label, paths in endpoints.items()},
        **{f"specimen list (page of {size})": f"/api/v1/specimens/?page_size={size}" for size in (10, 200)},
    })  # fmt: skip
    seconds, warm = (1.5, 0.25) if world.plan.specimens <= 10_000 else (10.0, 2.0)  # small: a smoke run
    headers = {"Authorization": f"Bearer {secret}"}
    results = [
        Result(f"queries per request: {label}", "in-process", elapsed, None, "", queries=queries,
               target=Target.at_most_queries(6) if label.startswith("specimen list") else None)
        for label, (queries, elapsed) in counts.items()
    ]  # fmt: skip
    for workers in (1, 2):
        port = free_port()
        server = serve(workers, port)
        try:
            load(port, ["/healthz"], {}, warm)  # warm every worker
            for paths in endpoints.values():
                load(port, paths, headers, warm)
            floor_done, floor_elapsed, _ = load(port, ["/healthz"], {}, seconds)
            floor = floor_elapsed / max(1, floor_done)
            for label, paths in endpoints.items():
                answered, elapsed, errors = load(port, paths, headers, seconds)
                rate = answered / elapsed
                results.append(
                    Result(f"API {label}, {CLIENTS} clients, {workers} worker{'s' if workers > 1 else ''}",
                           f"{answered:,} requests in {elapsed:.1f} s", 1 / rate if rate else float("nan"), rate,
                           "req/s", "GET /healthz, same server and clients", floor,
                           Target.at_least(300, "req/s") if label.startswith("specimen list") else None,
                           queries=counts[label][0], notes=f"{errors} errors" if errors else "")
                )  # fmt: skip
        finally:
            stop(server)
    return results
