"""Scale-out of the background work (issue 15, item 7): one import through real Celery workers, 1 worker against 2.

Runs on the generated network only (``python -m benchmarks workers``). The same import — N serum tubes of the first
biobank's donors as ``bench_import`` builds them, N = the network's specimens (at most 100,000), with barcodes of
their own for each case — goes through the project's own path: ``import_upload`` (its after-commit
``specimens.import_check``), then ``import_commit_request`` (its after-commit ``specimens.import_commit``, whose
commit queues ``audit.drain`` and the facts' recompute). Each figure is the wall time from the commit request until
the job is ``imported``, the audit outbox is empty (every event chained) and no collection's facts are stale:

- baseline: no broker, everything in this process (the tasks run eagerly at commit), then ``audit_drain()`` and the
  facts' ``recompute_dirty()`` for whatever is left;
- 1 worker: ``celery -A biobank worker --pool solo`` consuming every queue (``celery,imports,audit,catalog``: what
  ``make worker`` runs);
- 2 workers: one on ``imports``, one on ``audit,catalog,celery`` (a worker group per queue, docs/deployment.md).

The workers are subprocesses on this run's database (``DATABASE_URL`` as ``bench_api``'s gunicorn gets it, the same
keys and media directory) and Redis database 5 (``BENCH_BROKER_URL``), purged before and after. This process
publishes to the same broker while a case runs. The facts' recompute is debounced by 10 s after an import
(``catalog.facts.tasks``): a deliberate wait, not work, so once the job is imported this benchmark queues the
recompute at once (``recompute_now``, the project's own call) instead of waiting for the debounced one.

One import is one transaction: a second worker cannot make it faster; it takes the drain and the recompute off the
import's worker, so the next import could start at once (docs/performance.md, "Scale-out").
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from benchmarks import Result, benchmark
from benchmarks.bench_api import REPO, database_url
from benchmarks.bench_import import csv_rows

BROKER_URL = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/5")
MAX_ROWS = 100_000
ALL_QUEUES = "celery,imports,audit,catalog"
CASES = {1: [ALL_QUEUES], 2: ["imports", "audit,catalog,celery"]}  # workers: the queues of each


def _forget_connections() -> None:
    from biobank.audit import dispatch
    from biobank.celery import app

    dispatch._broker_down_until = 0.0
    app._pool = None
    app.__dict__.pop("amqp", None)  # rebuilt from the configuration (producer pool, routes)


@contextmanager
def _celery(*, broker: str | None) -> Iterator[None]:
    """This process publishes to ``broker`` for real (``None``: every task eagerly, in-process), then as before."""
    from django.conf import settings

    from biobank.audit.services import audit_dispatch_wait
    from biobank.celery import app

    conf = app.conf
    saved = {key: conf[key] for key in ("broker_url", "task_always_eager")}
    saved_eager, saved_env = settings.CELERY_TASK_ALWAYS_EAGER, os.environ.get("CELERY_BROKER_URL")
    os.environ.pop("CELERY_BROKER_URL", None)  # Celery reads the variable before its own configuration
    if broker:
        os.environ["CELERY_BROKER_URL"] = broker
    conf.update(broker_url=broker, task_always_eager=broker is None)
    settings.CELERY_TASK_ALWAYS_EAGER = broker is None  # read by the facts' debounce
    _forget_connections()
    try:
        yield
    finally:
        audit_dispatch_wait(10.0)
        conf.update(saved)
        settings.CELERY_TASK_ALWAYS_EAGER = saved_eager
        os.environ.pop("CELERY_BROKER_URL", None)
        if saved_env is not None:
            os.environ["CELERY_BROKER_URL"] = saved_env
        _forget_connections()


def _purge(url: str) -> None:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=3).flushdb()
    except redis.RedisError as error:
        raise RuntimeError(f"The workers benchmark needs Redis at {url} (BENCH_BROKER_URL): {error}") from error


def _wait(done: Callable[[], bool], *, timeout: float, what: str, logs: Callable[[], str] = str) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out after {timeout:.0f} s waiting for {what}\n{logs()}")
        time.sleep(0.02)


class Workers:
    """``celery -A biobank worker --pool solo`` subprocesses, one per entry of ``queues``, on the run's database."""

    def __init__(self, queues: list[str], directory: Path) -> None:
        from django.conf import settings

        from specimens.models import ImportJob

        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "biobank.settings.dev"),
            "DEBUG": "0",
            "CELERY_BROKER_URL": BROKER_URL,
            "LOG_LEVEL": "WARNING",
            "AUDIT_HMAC_KEY_FILE": str(settings.AUDIT_HMAC_KEY_FILE),
            "PSEUDONYM_KEY_FILE": str(settings.PSEUDONYM_KEY_FILE),
            "AUDIT_CHECKPOINT_PATH": str(settings.AUDIT_CHECKPOINT_PATH),
            "AUDIT_CHECKPOINT_SYSLOG": "0",
            # the uploads and the prepared rows, where this process's storage puts them
            "MEDIA_ROOT": str(getattr(ImportJob._meta.get_field("file").storage, "location", settings.MEDIA_ROOT)),
        }
        self.names = [f"bench-{n}-{os.getpid()}@localhost" for n in range(1, len(queues) + 1)]
        self.logs = [directory / f"{name.split('@')[0]}.log" for name in self.names]
        self.processes: list[subprocess.Popen[bytes]] = []
        try:
            for name, queue, log_path in zip(self.names, queues, self.logs, strict=True):
                with log_path.open("wb") as log:
                    self.processes.append(subprocess.Popen(
                        [sys.executable, "-m", "celery", "-A", "biobank", "worker", "--pool=solo",
                         "--loglevel=WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat",
                         "-Q", queue, "-n", name],
                        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
                    ))  # fmt: skip
        except BaseException:
            self.stop()  # the ones already started
            raise

    def log(self) -> str:
        return "\n".join(f"--- {path.name}\n{path.read_text(errors='replace')[-2000:]}" for path in self.logs)

    def wait_ready(self, timeout: float = 120.0) -> None:
        """Until every worker answers a ping (its consumer is up); a worker that exits fails the run."""
        from biobank.celery import app

        def ready() -> bool:
            if any(process.poll() is not None for process in self.processes):
                raise RuntimeError(f"a Celery worker exited\n{self.log()}")
            answered = {name for reply in app.control.ping(destination=self.names, timeout=0.5) for name in reply}
            return answered >= set(self.names)

        _wait(ready, timeout=timeout, what="the Celery workers to answer a ping", logs=self.log)

    def stop(self) -> None:
        """Warm shutdown (SIGTERM), SIGKILL for one that does not stop within 30 s."""
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _settled() -> bool:
    from biobank.audit.models import AuditOutbox
    from catalog.models import FactsRecompute

    return not AuditOutbox.objects.exists() and not FactsRecompute.objects.exists()


def _job_status(job_id: int, *, expect: str, logs: Callable[[], str]) -> Callable[[], bool]:
    from specimens.models import ImportJob, ImportStatus

    def reached() -> bool:
        status, message = ImportJob.objects.filter(pk=job_id).values_list("status", "message").get()
        if status in (ImportStatus.FAILED, ImportStatus.INVALID):
            raise RuntimeError(f"import job {job_id} is {status}: {message}\n{logs()}")
        return status == expect

    return reached


def _import(world: Any, data: bytes, *, timeout: float, logs: Callable[[], str] = str) -> tuple[float, str]:
    """Upload ``data``, wait for its clean check, then the seconds from the commit request until it is imported,
    chained and the facts are fresh; and what was still to do when the job was imported."""
    from biobank.audit.models import AuditOutbox
    from biobank.audit.services import audit_dispatch_wait, audit_drain
    from biobank.celery import app
    from catalog.facts.engine import recompute_dirty
    from catalog.facts.tasks import recompute_now
    from catalog.models import FactsRecompute
    from specimens.models import ImportJob, ImportStatus
    from specimens.services.imports import import_commit_request, import_upload

    eager = app.conf.task_always_eager
    job = import_upload(actor=None, biobank=world.biobank(), data=data, file_name="bench-workers.csv")
    _wait(_job_status(job.pk, expect=ImportStatus.VALID, logs=logs), timeout=timeout, what="the check", logs=logs)
    _wait(_settled, timeout=timeout, what="the upload's audit event to be chained", logs=logs)
    start = time.perf_counter()
    import_commit_request(actor=None, job=ImportJob.objects.get(pk=job.pk))
    _wait(_job_status(job.pk, expect=ImportStatus.IMPORTED, logs=logs), timeout=timeout, what="the import", logs=logs)
    pending = f"{AuditOutbox.objects.count():,} outbox rows and {FactsRecompute.objects.count()} stale collections left"
    if eager:  # what is left in this process: the drain its publisher thread runs, then the rest by hand
        audit_dispatch_wait(timeout)
        while audit_drain():
            pass
        recompute_dirty()
    else:
        recompute_now()  # instead of the debounced recompute 10 s later
    _wait(_settled, timeout=timeout, what="the drain and the facts' recompute", logs=logs)
    return time.perf_counter() - start, pending


def _prepare() -> None:
    """Nothing pending before the first case: the generated network's outbox chained, its facts fresh."""
    from biobank.audit.services import audit_drain
    from catalog.facts.engine import recompute_dirty

    while audit_drain():
        pass
    recompute_dirty()


@benchmark("workers")
def workers_benchmark(world: Any) -> list[Result]:
    """An import through 1 and 2 real Celery workers (queues imports | audit,catalog,celery) against in-process."""
    from biobank.pseudonyms.checkchar import display
    from catalog.models import Collection
    from consent.models import Donor

    rows = min(world.plan.specimens, MAX_ROWS)
    biobank = world.biobank()
    pids = [display(pid) for pid in Donor.objects.filter(biobank=biobank).order_by("pk").values_list("pid", flat=True)]
    collection = Collection.objects.filter(biobank=biobank).order_by("code").values_list("code", flat=True)[0]
    timeout = 120.0 + rows / 500  # a loaded machine; a stuck worker fails the run instead of hanging it

    def data(prefix: str) -> bytes:
        return csv_rows(pids, collection, rows, prefix=prefix)  # barcodes of its own: every case imports anew

    _prepare()
    with _celery(broker=None):
        baseline, _pending = _import(world, data("WKBASE"), timeout=timeout)
    seconds: dict[int, float] = {}
    pending: dict[int, str] = {}
    with tempfile.TemporaryDirectory(prefix="bench-workers-") as directory:
        for count, queues in CASES.items():
            _purge(BROKER_URL)
            workers = Workers(queues, Path(directory))
            try:
                with _celery(broker=BROKER_URL):
                    workers.wait_ready()
                    seconds[count], pending[count] = _import(
                        world, data(f"WK{count}W"), timeout=timeout, logs=workers.log
                    )
            finally:
                workers.stop()
                _purge(BROKER_URL)
    size = f"{rows:,} rows"
    floor = "in-process (no broker) + audit_drain()"
    return [
        Result("workers: import, 1 Celery worker (all 4 queues), until chained and facts fresh", size, seconds[1],
               rows / seconds[1], "rows/s", floor, baseline, notes=f"{pending[1]} when imported"),
        Result("workers: import, 2 Celery workers (imports | audit,catalog,celery), same", size, seconds[2],
               rows / seconds[2], "rows/s", floor, baseline, notes=f"{pending[2]} when imported"),
        Result("workers: 2 workers against 1 (ratio: 2-worker time / 1-worker time)", size, seconds[2],
               rows / seconds[2], "rows/s", "1 worker", seconds[1]),
    ]  # fmt: skip
