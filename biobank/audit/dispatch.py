"""Dispatch of the audit drain after commit: one publisher thread per process (issue 9, items 9 and 10).

``services.audit_record`` registers ``schedule_drain`` once per transaction; after commit the drain task is published
by a daemon thread (or, without a broker, run by it), so a request never waits for the broker or the chaining. The
same thread signs a checkpoint once a minute while events were chained, and a process exiting finishes both first.
This is the one deliberate exception to ``biobank.ops.after_commit`` (docs/architecture.md).
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time

from django.db import connection, transaction

from .chaining import audit_drain, checkpoint_due
from .integrity import checkpoint_clock

logger = logging.getLogger(__name__)

BROKER_BACKOFF_SECONDS = 30.0
_broker_down_until = 0.0  # monotonic time until which this process does not try the broker again


# --- dispatch after commit --------------------------------------------------------------------------------------


def schedule_drain() -> None:
    """Once per transaction, however many events it records."""
    conn = transaction.get_connection()
    if any(func is _dispatch_drain for _sids, func, _robust in conn.run_on_commit):
        return
    transaction.on_commit(_dispatch_drain)


def _dispatch_drain() -> None:
    """Queue the drain after commit. Never raises, and never holds a request up while the broker answers.

    With a broker, a daemon thread publishes the task (``_publisher``), so a request pays a few microseconds instead
    of a broker round trip; requests that commit while a publication is under way share the next one. If the process
    dies first, the beat task's drain chains the events. Without a broker (one machine, ``make run``) the same
    thread runs the drain itself, so a request does not wait for the chaining either; ``AUDIT_DRAIN_INLINE`` (the
    test settings) runs it right here instead, so tests see the chain the moment a change commits.
    """
    from django.conf import settings

    from biobank.celery import app

    from .tasks import drain

    if app.conf.task_always_eager and getattr(settings, "AUDIT_DRAIN_INLINE", True):
        try:
            drain.apply_async()
        except Exception:  # a failing drain must not fail a request whose change has committed
            logger.exception("Audit drain not run; the periodic drain will chain the pending events.")
        return
    _publisher.request()


def _publish_drain() -> None:
    """Publish one drain task; fail fast (one connection attempt) and back off for a while when the broker is down.

    Without a broker there is nobody to publish to: the drain runs in this (publisher) thread.
    """
    global _broker_down_until
    from kombu.exceptions import OperationalError as KombuOperationalError
    from redis.exceptions import RedisError

    from biobank.celery import app

    from .tasks import drain

    if app.conf.task_always_eager:
        try:
            audit_drain()
        except Exception:
            logger.exception("Audit drain failed; the next commit's drain will chain the pending events.")
        finally:
            connection.close()  # this thread's own connection: never left open between drains
        return

    if time.monotonic() < _broker_down_until:
        return
    try:
        with app.pool.acquire(block=True, timeout=1) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
            drain.apply_async(retry=False, connection=conn)
    except (KombuOperationalError, RedisError, OSError) as error:
        _broker_down_until = time.monotonic() + BROKER_BACKOFF_SECONDS
        logger.warning("Audit drain not queued (%s); the periodic drain will chain the pending events.", error)
    except Exception:
        logger.exception("Audit drain not queued; the periodic drain will chain the pending events.")


def _checkpoint_when_due() -> None:
    """The publisher thread's timer: sign the head chained since the last checkpoint (issue 9, item 9)."""
    if checkpoint_clock.take_due():
        try:
            checkpoint_due()
        finally:
            connection.close()


class _Publisher:
    """One daemon thread per process that publishes the drain task whenever a commit asks for it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._idle = threading.Event()
        self._idle.set()
        self._thread: threading.Thread | None = None
        self._pid = 0

    def request(self) -> None:
        with self._lock:
            if self._thread is None or self._pid != os.getpid() or not self._thread.is_alive():
                self._pid = os.getpid()  # a forked worker starts its own thread
                self._thread = threading.Thread(target=self._run, name="audit-drain-publisher", daemon=True)
                self._thread.start()
            self._idle.clear()
            self._wake.set()

    def _run(self) -> None:
        while True:
            # Idle, the thread still owes the signature of what it chained last (at most a minute later).
            if not self._wake.wait(timeout=checkpoint_clock.seconds_until_due()):
                _checkpoint_when_due()
                continue
            self._wake.clear()  # commits after this point ask again and get their own publication
            _publish_drain()
            with self._lock:
                if not self._wake.is_set():
                    self._idle.set()

    def wait(self, timeout: float = 10.0) -> bool:
        """Until every requested publication is done (tests, benchmarks, graceful shutdown)."""
        return self._idle.wait(timeout)


_publisher = _Publisher()


def _audit_at_exit() -> None:
    """A management command or a worker that exits right after a commit finishes its pending drain first, and signs
    what it chained since its last checkpoint (``seed_demo`` and other short processes, issue 9, item 9)."""
    _publisher.wait(10.0)
    if checkpoint_clock.take_pending():
        checkpoint_due()


atexit.register(_audit_at_exit)


def audit_dispatch_wait(timeout: float = 10.0) -> bool:
    """Wait until the drains requested by this process's commits have been handed to the broker (or given up)."""
    return _publisher.wait(timeout)
