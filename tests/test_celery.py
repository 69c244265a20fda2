"""Without a broker, tasks run in-process, so the portal works on one machine with nothing else installed."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail

from biobank.accounts.tasks import send_email
from biobank.celery import app
from tests.settings.startup import clean_environment

ROOT = Path(__file__).resolve().parents[1]


def test_send_email_delay_delivers_in_process():
    send_email.delay(subject="Your export is ready", body="Download it within 7 days.", to=["a@example.org"])
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Your export is ready"
    assert mail.outbox[0].to == ["a@example.org"]


def test_the_celery_app_serialises_json_only_and_acknowledges_late():
    assert app.conf.task_serializer == "json"
    assert app.conf.accept_content == ["json"]
    assert app.conf.task_acks_late is True


def _eager_under_dev_settings(broker: str | None, tmp_path: Path) -> str:
    env = clean_environment(
        DJANGO_SETTINGS_MODULE="biobank.settings.dev",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/unused",  # not connected to: settings only
        BIOBANK_VAR_DIR=str(tmp_path),
        **({"CELERY_BROKER_URL": broker} if broker else {}),
    )
    code = "from biobank.celery import app; print(app.conf.task_always_eager)"
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.parametrize(("broker", "eager"), [(None, "True"), ("redis://127.0.0.1:6379/0", "False")])
def test_tasks_are_eager_exactly_when_no_broker_is_configured(broker, eager, tmp_path):
    assert _eager_under_dev_settings(broker, tmp_path) == eager


# --- queues ------------------------------------------------------------------------------------------------------


def _queues_of_make_worker() -> set[str]:
    recipe = (ROOT / "Makefile").read_text().split("\nworker:", 1)[1].split("\n\n", 1)[0]
    found = re.search(r"celery -A biobank worker .*?-Q (\S+)", recipe)
    assert found, "make worker names no -Q list"
    return set(found.group(1).split(","))


def _queues_of_the_compose_worker() -> set[str]:
    found = re.search(r'"-Q", "\$\{WORKER_QUEUES:-([^}"]+)\}"', (ROOT / "docker-compose.yml").read_text())
    assert found, "the compose worker names no -Q list"
    return set(found.group(1).split(","))


def _queue_of(task_name: str) -> str:
    route = app.amqp.router.route({}, task_name, (), {})
    return route["queue"].name


def test_every_registered_task_is_routed_to_a_queue_make_worker_consumes():
    app.loader.import_default_modules()
    queues = _queues_of_make_worker()
    assert queues == _queues_of_the_compose_worker()
    unconsumed = {name: _queue_of(name) for name in app.tasks if _queue_of(name) not in queues}
    assert unconsumed == {}, f"tasks routed to a queue no worker consumes: {unconsumed}"


@pytest.mark.parametrize(
    ("task_name", "queue"),
    [
        ("specimens.import_check", "imports"),
        ("specimens.import_commit", "imports"),
        ("audit.drain", "audit"),
        ("catalog.facts_recompute_dirty", "catalog"),
        ("accounts.deliver_email", "celery"),
    ],
)
def test_each_kind_of_work_has_its_own_queue(task_name, queue):
    app.loader.import_default_modules()
    assert task_name in app.tasks
    assert _queue_of(task_name) == queue
