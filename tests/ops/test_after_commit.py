"""One idiom for work after commit (issue 10, item 4): ``biobank.ops.after_commit`` and the catch-ups."""

from __future__ import annotations

import re
import threading
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from biobank.ops.after_commit import after_commit

ROOT = Path(__file__).resolve().parents[2]
SOURCE_DIRS = ["biobank", "consent", "catalog", "specimens", "access_requests"]
HELPER = "biobank/ops/after_commit.py"
DELIBERATE_EXCEPTION = "biobank/audit/services.py"  # the audit drain: own publisher thread, periodic drain


class FakeTask:
    name = "tests.fake"

    def __init__(self, error: Exception | None = None) -> None:
        self.calls: list[dict] = []
        self.error = error

    def delay(self, **kwargs):
        if self.error:
            raise self.error
        self.calls.append(kwargs)


def _sources():
    for folder in SOURCE_DIRS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            yield path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8")


@pytest.mark.django_db
def test_the_task_is_queued_after_commit_and_not_at_all_on_rollback(django_capture_on_commit_callbacks):
    task = FakeTask()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        after_commit(task, thing_id=1)
        assert task.calls == []
    assert task.calls == [{"thing_id": 1}]

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        after_commit(task, thing_id=2)
        raise RuntimeError("rolled back")
    assert task.calls == [{"thing_id": 1}]


@pytest.mark.django_db
def test_a_broker_error_is_logged_never_raised_and_later_callbacks_still_run(
    django_capture_on_commit_callbacks, caplog
):
    broken, healthy = FakeTask(OperationalError("[Errno 111] Connection refused")), FakeTask()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        after_commit(broken, thing_id=1)
        after_commit(healthy, thing_id=2)
    assert healthy.calls == [{"thing_id": 2}]
    assert "Task tests.fake {'thing_id': 1} not queued" in caplog.text


def test_no_bare_lambda_is_run_after_commit():
    offenders = [path for path, text in _sources() if re.search(r"on_commit\(\s*lambda", text)]
    assert offenders == [], "use biobank.ops.after_commit.after_commit(task, **kwargs) instead"


def test_only_the_helper_and_the_audit_drain_call_on_commit():
    offenders = [
        path
        for path, text in _sources()
        if "on_commit(" in text and path not in {HELPER, DELIBERATE_EXCEPTION} and "/migrations/" not in path
    ]
    assert offenders == [], "work after commit goes through biobank.ops.after_commit (docs/architecture.md)"


@pytest.mark.django_db(transaction=True)
def test_a_row_being_sent_by_one_worker_is_skipped_by_another_not_sent_twice():
    from biobank.accounts.emails import outgoing_email_send, queue_email
    from biobank.accounts.models import OutgoingEmail
    from biobank.accounts.tasks import deliver_email

    with mock.patch.object(deliver_email, "delay", side_effect=OperationalError("down")):
        email = queue_email(template="account_exists", to="a@example.org", context={"link": "http://x/"})
    locked, release, results = threading.Event(), threading.Event(), []

    def first_worker():
        try:
            with transaction.atomic():
                OutgoingEmail.objects.select_for_update().get(pk=email.pk)
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=first_worker)
    thread.start()
    try:
        assert locked.wait(10)
        results.append(outgoing_email_send(email_id=email.pk))  # skipped at once, not waiting for the lock
    finally:
        release.set()
        thread.join(10)
    assert results == [False] and mail.outbox == []
    assert outgoing_email_send(email_id=email.pk) is True
    assert outgoing_email_send(email_id=email.pk) is False
    assert len(mail.outbox) == 1


@pytest.fixture
def release_domain(settings, tmp_path, biobank_a):
    from biobank.pseudonyms import services
    from biobank.pseudonyms.choices import DomainKind
    from tests.pseudonyms.keyfiles import point_key_files_to

    point_key_files_to(settings, tmp_path)
    return services.domain_create(actor=None, code="release-2026-009", kind=DomainKind.RELEASE, biobank=biobank_a)


@pytest.mark.django_db
def test_a_rotation_with_the_broker_down_is_re_pseudonymised_by_the_catch_up(
    release_domain, django_capture_on_commit_callbacks
):
    from biobank.pseudonyms import tasks
    from biobank.pseudonyms.models import Pseudonym, PseudonymKey
    from biobank.pseudonyms.services import domain_rotate_key, pseudonyms_for_many

    pseudonyms_for_many(domain=release_domain, subjects=["s1", "s2", "s3"])
    with (
        mock.patch.object(tasks.repseudonymise_domain, "delay", side_effect=OperationalError("down")) as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        domain = domain_rotate_key(actor=None, domain=release_domain)
    assert delay.call_count == 1 and domain.current_key_version == 2  # the rotation is committed
    assert not Pseudonym.objects.filter(domain=domain, key_version=2).exists()

    assert tasks.repseudonymise_pending.delay().get() == 0  # a rotation minutes old: its own job may still be running
    PseudonymKey.objects.filter(domain=domain, version=2).update(created_at=timezone.now() - timedelta(hours=1))
    with mock.patch.object(tasks.repseudonymise_domain, "delay", wraps=tasks.repseudonymise_domain.delay) as sent:
        assert tasks.repseudonymise_pending.delay().get() == 1
        assert tasks.repseudonymise_pending.delay().get() == 0  # finished: nothing queued again
    assert sent.call_count == 1
    assert set(Pseudonym.objects.filter(domain=domain, key_version=2).values_list("subject", flat=True)) == {
        "s1",
        "s2",
        "s3",
    }
    assert not Pseudonym.objects.filter(domain=domain, key_version=1, retired_at__isnull=True).exists()


@pytest.mark.django_db
def test_the_beat_schedule_runs_the_catch_ups(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"accounts.emails_pending", "pseudonyms.repseudonymise_pending", "consent.receipts_missing"} <= tasks
