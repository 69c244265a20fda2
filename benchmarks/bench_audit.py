"""Audit trail: drain throughput, verification throughput, and the cost of auditing on a typical API write.

Run from the repository root (uses the embedded PostgreSQL, or ``DATABASE_URL`` if set)::

    .venv/bin/python -m benchmarks.bench_audit                 # 100,000 events, 5 x 200 API writes per mode
    .venv/bin/python -m benchmarks.bench_audit --events 300000 --writes 300 --rounds 7

or through the runner as ``python -m benchmarks audit``. Everything happens in a scratch database
(``bench_audit_<pid>``, created, migrated and dropped again), with checkpoints and key in a temporary directory.

- Drain: ``--events`` events are recorded set-based into the outbox, then ``audit_drain()`` chains them (advisory
  lock, head, hashes in Python, a batch of 20,000 per transaction moved in statements of 5,000, hashing one while
  the database moves the one before). Wall-clock events/s.
- Verify: ``audit_verify()`` over the whole chain; events/s of wall-clock time and of this process's CPU time (the
  verifier is single-threaded: that is the per-core figure; PostgreSQL streams the rows from its own process).
- Write overhead: ``PATCH /api/v1/collections/<id>/`` through DRF's test client with a bearer token — the same code
  path as a partner system's update — with auditing on and off
  (``catalog.services.collections.audit_record`` replaced by a no-op), alternating request by request in the same
  run; the median request time of each is compared. Measured in two
  modes: without a broker (the drain runs in-process right after each commit) and, if Redis answers, with the
  broker (as in production: the request hands the drain to a publisher thread, which queues it in Redis).

Targets (issue 4): drain ≥ 10,000 events/s; verify ≥ 200,000 events/s on one core; overhead ≤ 15 %.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import Result, Target, benchmark

TARGET_DRAIN = 10_000
TARGET_VERIFY = 200_000
TARGET_OVERHEAD = 0.15


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model}, nproc {os.cpu_count()}, Python {platform.python_version()} ({platform.machine()})"


@contextmanager
def scratch_database() -> Iterator[str]:
    """A migrated database of its own, dropped afterwards; checkpoints and key in a temporary directory."""
    from django.conf import settings
    from django.db import connection

    settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = f"bench_audit_{os.getpid()}"
    with tempfile.TemporaryDirectory() as tmp:
        settings.AUDIT_CHECKPOINT_PATH = str(Path(tmp) / "audit-checkpoints.log")
        settings.AUDIT_HMAC_KEY_FILE = Path(tmp) / "audit-hmac.key"
        settings.AUDIT_HMAC_KEY_AUTOCREATE = True
        settings.AUDIT_CHECKPOINT_SYSLOG = False
        old_name = connection.settings_dict["NAME"]
        name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            yield name
        finally:
            from biobank.audit.integrity import checkpoint_clock

            checkpoint_clock.reset()  # nothing left to sign at exit in a database that is gone
            connection.creation.destroy_test_db(old_name, verbosity=0)


def record_outbox(count: int, biobank_id: int) -> None:
    from django.db import transaction

    from biobank.audit import services
    from biobank.audit.services import audit_record_many

    services.audit_drain()
    schedule, services.schedule_drain = services.schedule_drain, lambda: None  # fill the outbox, drain later
    chunk = 10_000
    for start in range(0, count, chunk):
        entries = [
            {
                "object_type": "specimens.specimen",
                "object_id": number,
                "changes": {"position": [f"A{number % 9 + 1}", f"B{number % 9 + 1}"], "status": ["available", "moved"]},
            }
            for number in range(start, min(count, start + chunk))
        ]
        with transaction.atomic():
            audit_record_many(actor="system:bench", action="specimen.move", entries=entries, biobank=biobank_id)
    services.schedule_drain = schedule


def bench_drain(events: int, biobank_id: int) -> float:
    from biobank.audit.services import audit_drain

    record_outbox(events, biobank_id)
    started = time.perf_counter()
    chained = audit_drain()
    seconds = time.perf_counter() - started
    assert chained == events, (chained, events)
    return events / seconds


def bench_single_drains(biobank_id: int, writes: int = 60) -> tuple[float, float]:
    """The drain after one write, as after each request: (median seconds, median seconds of its floor, one read of
    the head by key). Its cost must not grow with the log's depth (audit migration 0008: it once scanned the log)."""
    from django.db import connection

    from biobank.audit.services import audit_drain

    drains, heads = [], []
    for _write in range(writes):
        record_outbox(1, biobank_id)
        started = time.perf_counter()
        assert audit_drain() == 1
        drains.append(time.perf_counter() - started)
        with connection.cursor() as cursor:
            started = time.perf_counter()
            cursor.execute("SELECT seq, hash FROM audit_auditevent ORDER BY seq DESC LIMIT 1")
            cursor.fetchone()
            heads.append(time.perf_counter() - started)
    return statistics.median(drains[10:]), statistics.median(heads[10:])


def bench_move_baseline(events: int, biobank_id: int) -> float:
    """Physical floor of the drain: the same rows moved set-based in one statement, with no hashing or signing."""
    from django.db import connection, transaction

    from biobank.audit.chaining import DRAIN_LOCK_KEY
    from biobank.audit.models import AuditOutbox

    record_outbox(events, biobank_id)
    table = AuditOutbox._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMP TABLE bench_moved (LIKE {table}) ON COMMIT DROP")
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [DRAIN_LOCK_KEY])  # only the drain may empty the outbox
        started = time.perf_counter()
        cursor.execute(f"WITH moved AS (DELETE FROM {table} RETURNING *) INSERT INTO bench_moved SELECT * FROM moved")
        seconds = time.perf_counter() - started
        assert cursor.rowcount == events, (cursor.rowcount, events)
    return events / seconds


def bench_stream_hash_baseline(repeat: int) -> float:
    """Physical floor of verification: stream the same rows with the same COPY and SHA-256 each raw line."""
    from hashlib import sha256

    from django.db import connection, transaction

    from biobank.audit.verification import _COPY_SELECT

    class Sink:
        count = 0

        def write(self, data: bytes | str) -> int:
            chunk = data.encode() if isinstance(data, str) else bytes(data)
            for line in chunk.splitlines():
                sha256(line).hexdigest()
                self.count += 1
            return len(chunk)

    best = 0.0
    for _ in range(repeat):
        sink = Sink()
        cpu = time.process_time()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.copy_expert(f"COPY ({_COPY_SELECT.format(from_seq=1)}) TO STDOUT", sink)
        best = max(best, sink.count / (time.process_time() - cpu))
    return best


def bench_verify(repeat: int) -> tuple[float, float, int]:
    from biobank.audit.services import audit_verify

    best_wall = best_cpu = 0.0
    count = 0
    for _ in range(repeat):
        cpu = time.process_time()
        wall = time.perf_counter()
        result = audit_verify(checkpoint=[])
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        assert result.ok, result.message
        count = result.count
        best_wall, best_cpu = max(best_wall, count / wall), max(best_cpu, count / cpu)
    return best_wall, best_cpu, count


@contextmanager
def auditing(enabled: bool) -> Iterator[None]:
    import catalog.services.collections

    original = catalog.services.collections.audit_record
    if not enabled:
        catalog.services.collections.audit_record = lambda **kwargs: None  # type: ignore[assignment]
    try:
        yield
    finally:
        catalog.services.collections.audit_record = original


@contextmanager
def broker_mode(url: str | None) -> Iterator[str | None]:
    """Eager (no broker) or real publishing to a private Redis queue that is deleted afterwards."""
    from biobank.audit import dispatch
    from biobank.celery import app

    conf = app.conf
    saved = {key: conf[key] for key in ("broker_url", "task_always_eager", "task_default_queue")}
    queue = f"bench-audit-{os.getpid()}"
    saved_env = os.environ.get("CELERY_BROKER_URL")
    if url:
        os.environ["CELERY_BROKER_URL"] = url  # Celery reads this variable before its own configuration
        conf.update(broker_url=url, task_always_eager=False, task_default_queue=queue)
    else:
        conf.update(task_always_eager=True)
    app._pool = None
    app.__dict__.pop("amqp", None)
    dispatch._broker_down_until = 0.0
    try:
        yield queue if url else None
    finally:
        conf.update(saved)
        if saved_env is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = saved_env
        app._pool = None
        app.__dict__.pop("amqp", None)
        if url:
            import redis

            redis.Redis.from_url(url).delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")


def bench_write_overhead(writes: int, rounds: int, broker_url: str | None) -> tuple[float, float, float]:
    """Median seconds per PATCH with auditing off and on, and the relative overhead."""
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone
    from rest_framework.test import APIClient

    from biobank.accounts import services as account_services
    from biobank.accounts.models import Biobank
    from biobank.api.throttling import PrincipalRateThrottle
    from biobank.audit.services import audit_dispatch_wait, audit_drain
    from catalog import services as catalog_services

    PrincipalRateThrottle.rate = "100000000/s"  # the benchmark is not a flood to defend against
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    biobank = Biobank.objects.get(code="bench-bank")
    collection = catalog_services.collection_create(
        actor=None, biobank=biobank, code=f"bench-{time.monotonic_ns() % 10**9}", name="Bench"
    )
    _, secret = account_services.api_token_create(
        actor=None,
        biobank=biobank,
        name="bench",
        permissions=["view_catalog", "manage_catalog"],
        expires_at=timezone.now() + timedelta(days=1),
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    url = f"/api/v1/collections/{collection.pk}/"
    counter = iter(range(10**9))

    def write() -> float:
        started = time.perf_counter()
        response = client.patch(url, {"name": f"Name {next(counter)}"}, format="json")
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, response.content[:500]
        return elapsed

    off: list[float] = []
    on: list[float] = []
    with broker_mode(broker_url):
        for enabled in (True, False) * 20:  # warm-up: caches, connections, code paths
            with auditing(enabled):
                write()
        # Requests alternate on/off one by one, so drift in the machine's load hits both sides alike.
        for number in range(writes * rounds):
            for enabled in (False, True) if number % 2 == 0 else (True, False):
                with auditing(enabled):
                    (on if enabled else off).append(write())
        audit_dispatch_wait()
    audit_drain()
    median_off, median_on = statistics.median(off), statistics.median(on)
    return median_off, median_on, median_on / median_off - 1


def redis_url() -> str | None:
    import socket
    from urllib.parse import urlparse

    url = os.environ.get("CELERY_BROKER_URL") or "redis://127.0.0.1:6379/0"
    parts = urlparse(url)
    try:
        socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), timeout=1).close()
    except OSError:
        return None
    return url


def run(
    events: int = 100_000, writes: int = 200, rounds: int = 5, verify_repeat: int = 3
) -> list[tuple[str, float, str]]:
    from biobank.accounts import services as account_services

    rows: list[tuple[str, float, str]] = []
    with scratch_database():
        biobank = account_services.biobank_create(actor=None, code="bench-bank", name="Bench", country="DE")
        move_rate = bench_move_baseline(events, biobank.pk)
        drain_rate = bench_drain(events, biobank.pk)
        rows.append((f"baseline: move {events:,} outbox rows in one statement, no hashing", move_rate, "events/s"))
        rows.append((f"drain ({events:,} events, batches of 20,000)", drain_rate, "events/s"))
        rows.append(("drain / move baseline", drain_rate / move_rate, "x"))
        wall, cpu, count = bench_verify(verify_repeat)
        stream_rate = bench_stream_hash_baseline(verify_repeat)
        rows.append(
            (f"baseline: COPY the chain + bare SHA-256 per row, process CPU ({count:,})", stream_rate, "events/s")
        )
        rows.append((f"verify wall clock ({count:,} events)", wall, "events/s"))
        rows.append((f"verify per core, process CPU ({count:,} events)", cpu, "events/s"))
        rows.append(("verify / stream-and-hash baseline", cpu / stream_rate, "x"))
        for label, url in (("no broker, drain in a background thread", None), ("Redis broker", redis_url())):
            if label == "Redis broker" and url is None:
                rows.append(("write overhead with Redis broker: skipped (no Redis)", float("nan"), ""))
                continue
            off, on, overhead = bench_write_overhead(writes, rounds, url)
            rows.append((f"PATCH collection, auditing off ({label})", off * 1000, "ms/request"))
            rows.append((f"PATCH collection, auditing on ({label})", on * 1000, "ms/request"))
            rows.append((f"write overhead of auditing ({label})", overhead * 100, "%"))
    return rows


@benchmark("audit")
def audit_benchmark(world) -> list[Result]:
    """Audit trail: drain of as many events as the network has specimens, verification of the whole chain."""
    from django.db import connection

    events = min(world.plan.specimens, 1_000_000)
    biobank = world.biobank()
    move_rate = bench_move_baseline(events, biobank.pk)
    drain_rate = bench_drain(events, biobank.pk)
    from biobank.audit.models import AuditEvent

    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {AuditEvent._meta.db_table}")
    single, head = bench_single_drains(biobank.pk)
    wall, cpu, count = bench_verify(3)
    stream_rate = bench_stream_hash_baseline(3)
    size = f"{events:,} events"
    chain = f"{count:,} events"
    return [
        Result("audit drain (hash chain, batches of 20,000)", size, events / drain_rate, drain_rate, "events/s",
               "set-based move of the rows, no hashing", events / move_rate, Target.at_least(50_000, "events/s")),
        Result("audit verification, one core (process CPU)", chain, count / cpu, cpu, "events/s",
               "COPY + bare SHA-256 per row (CPU)", count / stream_rate, Target.at_least(200_000, "events/s")),
        Result("audit verification, wall clock", chain, count / wall, wall, "events/s"),
        Result("audit drain after one write (median of 50)", f"log of {count:,}", single, 1 / single, "drains/s",
               "one read of the head by key", head),
    ]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_audit", description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=100_000, help="events to drain and verify (default 100,000)")
    parser.add_argument("--writes", type=int, default=200, help="API writes per round and side (default 200)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds per mode (default 5)")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "biobank.settings.dev")
    import django

    django.setup()
    import logging

    from django.conf import settings

    settings.DEBUG = False  # DEBUG keeps every SQL statement in memory: not what production pays

    logging.getLogger("celery").setLevel(logging.WARNING)
    print(f"Machine: {machine()}")
    options = f"--events {args.events} --writes {args.writes} --rounds {args.rounds}"
    print(f"Command: python -m benchmarks.bench_audit {options}")
    results: dict[str, Any] = {}
    for measurement, value, unit in run(events=args.events, writes=args.writes, rounds=args.rounds):
        results[measurement] = value
        print(f"  {measurement:62} {value:14,.3f} {unit}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
