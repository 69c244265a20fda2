"""The daily reminder with frozen time: after 5 untouched days, once per 24 hours, to the assigned reviewers (or the
chair), with a line in the log."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from access_requests.choices import ResourceStatus
from access_requests.models import RequestEvent
from access_requests.services.reminders import review_reminders_send
from access_requests.services.review import reviewer_assign
from biobank.accounts.models import OutgoingEmail
from tests.access_requests.committee_factories import make_review

pytestmark = pytest.mark.django_db


def test_untouched_resources_remind_the_chair_once_a_day(biobank_a):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        review = make_review(biobank_a, resource_status=ResourceStatus.CHECKING_AVAILABILITY, declare=False)
    with time_machine.travel(start + timedelta(days=4, hours=23), tick=False):
        assert review_reminders_send() == 0
    with time_machine.travel(start + timedelta(days=5, hours=1), tick=False):
        assert review_reminders_send() == 1
        assert review_reminders_send() == 0  # not twice in 24 hours
    assert list(OutgoingEmail.objects.values_list("to", flat=True)) == [review.chair.email]
    assert RequestEvent.objects.filter(kind="reminder.sent", resource=review.resource).count() == 1
    with time_machine.travel(start + timedelta(days=6, hours=2), tick=False):
        assert review_reminders_send() == 1  # still untouched: the reminder did not count as a touch


def test_assigned_reviewers_are_reminded_instead_of_the_chair(biobank_a):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        review = make_review(biobank_a, declare=False)
        reviewer_assign(actor=review.chair, resource=review.resource, reviewer=review.members[1])
    with time_machine.travel(start + timedelta(days=6), tick=False):
        assert review_reminders_send() == 1
    assert list(OutgoingEmail.objects.values_list("to", flat=True)) == [review.members[1].email]
