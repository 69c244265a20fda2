"""Events are never lost when the broker is down: the change commits, the event waits in the outbox, and the drain
chains it once the broker (or the periodic beat task) runs again. Also with the real Redis, and on the eager path."""

from __future__ import annotations

import json
import logging
import os
import socket
import time
from contextlib import contextmanager
from urllib.parse import urlparse

import pytest

from biobank.audit import dispatch, services
from biobank.audit.models import AuditEvent, AuditOutbox
from biobank.audit.services import audit_verify
from biobank.celery import app as celery_app
from catalog import services as catalog_services

UNREACHABLE = "redis://127.0.0.1:1/0"
REDIS_URL = os.environ.get("CELERY_BROKER_URL") or "redis://127.0.0.1:6379/0"


@contextmanager
def broker(settings, url: str, *, queue: str = "celery"):
    """Point the (already configured) Celery app at ``url`` with real, non-eager publishing; the audit tasks (and
    every unrouted one) go to ``queue``."""
    conf = celery_app.conf
    saved = {key: conf[key] for key in ("broker_url", "task_always_eager", "task_default_queue", "task_routes")}
    saved_env = os.environ.get("CELERY_BROKER_URL")
    settings.CELERY_BROKER_URL, settings.CELERY_TASK_ALWAYS_EAGER = url, False
    os.environ["CELERY_BROKER_URL"] = url  # Celery reads this variable before its own configuration (CI sets it)
    routes = {**(conf.task_routes or {}), "audit.*": {"queue": queue}}
    conf.update(broker_url=url, task_always_eager=False, task_default_queue=queue, task_routes=routes)
    _forget_connections()
    try:
        yield
    finally:
        conf.update(saved)
        if saved_env is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = saved_env
        _forget_connections()


def _forget_connections() -> None:
    dispatch._broker_down_until = 0.0
    celery_app._pool = None
    celery_app.__dict__.pop("amqp", None)  # rebuilt from the new configuration (queues, producer pool)


def _redis_reachable(url: str) -> bool:
    parts = urlparse(url)
    try:
        socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), timeout=1).close()
    except OSError:
        return False
    return True


@pytest.fixture
def collection(biobank_a):
    return catalog_services.collection_create(actor=None, biobank=biobank_a, code="crc", name="CRC")


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_unreachable_changes_commit_and_the_drain_chains_them_later(
    settings, collection, admin_a, caplog
):
    chained_before = AuditEvent.objects.count()
    with broker(settings, UNREACHABLE), caplog.at_level(logging.WARNING, logger="biobank.audit.dispatch"):
        started = time.monotonic()
        for number in range(3):
            catalog_services.collection_update(actor=admin_a, collection=collection, name=f"Name {number}")
        assert time.monotonic() - started < 2, "a request must not hang on a dead broker"
        assert services.audit_dispatch_wait()
    collection.refresh_from_db()
    assert collection.name == "Name 2"  # committed
    assert AuditOutbox.objects.filter(action="collection.update").count() == 3  # waiting, not lost
    assert AuditEvent.objects.count() == chained_before
    assert "periodic drain will chain the pending events" in caplog.text

    from biobank.audit.tasks import drain

    drain.apply()  # what the beat task does once the worker is back
    assert AuditOutbox.objects.count() == 0
    assert list(
        AuditEvent.objects.filter(action="collection.update").order_by("seq").values_list("changes", flat=True)
    ) == [{"name": ["CRC", "Name 0"]}, {"name": ["Name 0", "Name 1"]}, {"name": ["Name 1", "Name 2"]}]
    assert audit_verify().ok


@pytest.mark.django_db(transaction=True)
def test_with_the_real_redis_the_drain_is_queued_after_commit_and_chains_the_event(settings, collection, admin_a):
    if not _redis_reachable(REDIS_URL):
        if os.environ.get("CI"):
            pytest.fail(f"Redis at {REDIS_URL} is unreachable on CI")
        pytest.skip(f"Redis at {REDIS_URL} is unreachable")
    import redis

    queue = f"audit-test-{os.getpid()}"
    client = redis.Redis.from_url(REDIS_URL)
    client.delete(queue)
    try:
        with broker(settings, REDIS_URL, queue=queue):
            catalog_services.collection_update(actor=admin_a, collection=collection, name="Queued")
            assert services.audit_dispatch_wait()
        assert AuditOutbox.objects.filter(action="collection.update").count() == 1
        raw = client.rpop(queue)  # what a worker would receive
        assert raw is not None, "the drain was not queued after commit"
        message = json.loads(raw)
        assert message["headers"]["task"] == "audit.drain"
        args, kwargs, _embed = json.loads(_body(message))
        celery_app.tasks["audit.drain"].apply(args=args, kwargs=kwargs)
    finally:
        client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
    assert AuditOutbox.objects.count() == 0
    assert AuditEvent.objects.filter(action="collection.update").get().changes == {"name": ["CRC", "Queued"]}
    assert audit_verify().ok


def _body(message: dict) -> str:
    import base64

    body = message["body"]
    return base64.b64decode(body).decode() if message.get("properties", {}).get("body_encoding") == "base64" else body


@pytest.mark.django_db(transaction=True)
def test_without_a_broker_the_event_is_chained_right_after_commit(collection, admin_a):
    catalog_services.collection_update(actor=admin_a, collection=collection, name="Eager")
    assert AuditOutbox.objects.count() == 0
    assert AuditEvent.objects.filter(action="collection.update").count() == 1
    assert audit_verify().ok
