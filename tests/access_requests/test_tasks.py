"""The beat tasks run the services and are scheduled."""

from __future__ import annotations

# the build task and its catch-up: a release whose dispatch was lost is built a minute later
from datetime import (
    date,
    timedelta,
)
from unittest import mock

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from access_requests import tasks
from access_requests.models import (
    Entitlement,
    Release,
)
from access_requests.services.releases import release_request
from access_requests.tasks import entitlements_expire, entitlements_warn, review_reminders
from tests.access_requests.entitle_factories import make_granted
from tests.access_requests.fulfil_factories import decider, media_root, setup_world  # noqa: F401

pytestmark = pytest.mark.django_db


def test_both_tasks_are_on_the_beat_schedule():
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"access_requests.entitlements_warn", "access_requests.entitlements_expire"} <= tasks


def test_the_tasks_warn_then_expire_on_time(biobank_a):
    with time_machine.travel("2026-01-05 09:00:00+00:00", tick=False):
        make_granted(biobank_a, access_ends_on=date(2026, 2, 1))
    with time_machine.travel("2026-01-10 09:00:00+00:00", tick=False):
        assert entitlements_warn.apply().get() == 1
        assert entitlements_expire.apply().get() == 0
    with time_machine.travel("2026-02-02 09:00:00+00:00", tick=False):
        assert entitlements_expire.apply().get() == 1
    assert Entitlement.objects.get().ended_at is not None


def test_the_reminder_runs_daily_from_beat():
    entry = settings.CELERY_BEAT_SCHEDULE["access-requests-review-reminders"]
    assert entry["task"] == review_reminders.name == "access_requests.review_reminders"
    assert review_reminders.apply().get() == 0


def test_a_queued_release_is_built_by_the_catch_up(biobank_a):
    resource, _donors, _specimens = setup_world(biobank_a, donors=1)
    with mock.patch("access_requests.services.releases._dispatch"):
        release = release_request(actor=decider(biobank_a), resource=resource)
    assert tasks.releases_queued() == 0  # younger than a minute
    Release.objects.filter(pk=release.pk).update(requested_at=timezone.now() - timedelta(minutes=2))
    assert tasks.releases_queued() == 1
    release.refresh_from_db()
    assert release.status == "ready"
    assert tasks.release_build(release_id=release.pk) == "skipped"
