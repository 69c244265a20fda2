"""The beat task is registered and runs the reminder service."""

from __future__ import annotations

import pytest
from django.conf import settings

from access_requests.tasks import review_reminders

pytestmark = pytest.mark.django_db


def test_the_reminder_runs_daily_from_beat():
    entry = settings.CELERY_BEAT_SCHEDULE["access-requests-review-reminders"]
    assert entry["task"] == review_reminders.name == "access_requests.review_reminders"
    assert review_reminders.apply().get() == 0
