"""The beat tasks run the services and are scheduled."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.conf import settings

from access_requests.models import Entitlement
from access_requests.tasks import entitlements_expire, entitlements_warn, review_reminders
from tests.access_requests.entitle_factories import make_granted

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
