"""Who hears of which request event (the routing table), in-app and by e-mail, once, and never the actor."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from access_requests.choices import RequestStatus, ResourceStatus
from access_requests.models import EventDispatch, Notification
from access_requests.services.notifications import (
    ROUTES,
    Audience,
    event_dispatch,
    event_dispatch_safely,
    events_undispatched_catch_up,
    notifications_mark_read,
    parties_for,
    route_for,
)
from access_requests.services.workflow import event_record, request_transition, resource_transition
from biobank.accounts.models import OutgoingEmail
from tests.access_requests.notify_factories import make_scene

pytestmark = pytest.mark.django_db


def ids(*users):
    return {u.pk for u in users}


@pytest.fixture
def scene(biobank_a, biobank_b):
    return make_scene(biobank_a, biobank_b)


def test_the_table_ends_with_a_default_row_for_every_other_kind():
    assert ROUTES[-1][0] == "*"
    assert route_for("release.downloaded") == {Audience.RESEARCHER, Audience.RESOURCE_COMMITTEE}
    assert route_for("vote.cast") == {Audience.RESOURCE_COMMITTEE}


def test_a_submission_reaches_the_team_and_every_biobanks_committee_but_not_the_submitter(scene):
    request_transition(request=scene.request, to=RequestStatus.SUBMITTED, actor=scene.researcher)
    event = scene.request.events.get(kind="request.submitted")
    assert parties_for(event) == ids(scene.teammate, *scene.committee_a, *scene.committee_b)


def test_a_later_request_transition_reaches_only_the_researcher_side(scene):
    request_transition(request=scene.request, to=RequestStatus.SUBMITTED, actor=scene.researcher)
    request_transition(request=scene.request, to=RequestStatus.UNDER_REVIEW, actor=scene.committee_a[0])
    event = scene.request.events.get(kind="request.under_review")
    assert parties_for(event) == ids(scene.researcher, scene.teammate)


def test_a_resource_transition_reaches_the_researcher_side_and_that_biobanks_committee(scene, biobank_a):
    resource = scene.request.resources.get(biobank=biobank_a)
    actor = scene.committee_a[1]
    resource_transition(resource=resource, to=ResourceStatus.CHECKING_AVAILABILITY, actor=actor)
    event = resource.events.get()
    assert parties_for(event) == ids(scene.researcher, scene.teammate, scene.committee_a[0], scene.committee_a[2])


def test_committee_comments_and_votes_never_reach_the_researcher(scene, biobank_a):
    resource = scene.request.resources.get(biobank=biobank_a)
    for kind in ("comment.posted", "vote.cast"):
        event = event_record(request=scene.request, resource=resource, actor=scene.committee_a[0], kind=kind)
        assert parties_for(event) == ids(*scene.committee_a[1:])


def test_a_private_message_reaches_the_researcher_side_and_only_that_biobanks_committee(scene, biobank_b):
    event = event_record(
        request=scene.request,
        actor=scene.researcher,
        kind="message.posted",
        data={"audience": "biobank", "biobank_id": biobank_b.pk},
    )
    assert parties_for(event) == ids(scene.teammate, *scene.committee_b)


def test_a_message_to_all_reaches_every_committee(scene):
    event = event_record(
        request=scene.request, actor=scene.committee_b[0], kind="message.posted", data={"audience": "all"}
    )
    assert parties_for(event) == ids(scene.researcher, scene.teammate, *scene.committee_a, *scene.committee_b[1:])


def test_other_kinds_reach_the_researcher_side_and_the_resource_committee(scene, biobank_b):
    resource = scene.request.resources.get(biobank=biobank_b)
    event = event_record(request=scene.request, resource=resource, actor=None, kind="entitlement.expiring")
    assert parties_for(event) == ids(scene.researcher, scene.teammate, *scene.committee_b)


def test_an_unconfirmed_team_member_and_an_inactive_seat_hear_nothing(scene, biobank_a):
    scene.request.team.update(confirmed_at=None)
    scene.committee_a[1].committee_seats.update(active=False)
    resource = scene.request.resources.get(biobank=biobank_a)
    event = event_record(request=scene.request, resource=resource, actor=None, kind="release.downloaded")
    assert parties_for(event) == ids(scene.researcher, scene.committee_a[0], scene.committee_a[2])


def test_the_listener_writes_one_notification_and_one_email_per_party_after_commit(
    scene, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request_transition(request=scene.request, to=RequestStatus.SUBMITTED, actor=scene.researcher)
    event = scene.request.events.get(kind="request.submitted")
    notified = set(Notification.objects.filter(event=event).values_list("user_id", flat=True))
    assert notified == ids(scene.teammate, *scene.committee_a, *scene.committee_b)
    assert not Notification.objects.filter(user=scene.researcher).exists()
    emails = OutgoingEmail.objects.filter(template="access_requests/notification")
    assert sorted(emails.values_list("to", flat=True)) == sorted(
        u.email for u in [scene.teammate, *scene.committee_a, *scene.committee_b]
    )
    assert scene.request.number in emails.first().subject
    assert EventDispatch.objects.filter(event=event, notified=7).exists()


def test_a_comment_notification_carries_no_free_text(scene, biobank_a):
    resource = scene.request.resources.get(biobank=biobank_a)
    event = event_record(
        request=scene.request,
        resource=resource,
        actor=scene.committee_a[0],
        kind="comment.posted",
        reason="The donor from Ulm is suspicious",
    )
    event_dispatch(event_id=event.pk)
    for notification in Notification.objects.filter(event=event):
        assert "Ulm" not in notification.text
    assert not OutgoingEmail.objects.filter(body__contains="Ulm").exists()


def test_an_event_is_dispatched_once(scene):
    event = event_record(request=scene.request, actor=None, kind="release.downloaded")
    assert event_dispatch(event_id=event.pk) is not None
    assert event_dispatch(event_id=event.pk) is None
    assert Notification.objects.filter(event=event).count() == 2  # researcher + teammate (no resource)


def test_the_listener_logs_an_error_and_does_not_raise(scene, monkeypatch, caplog):
    def broken(**kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr("access_requests.services.notifications.event_dispatch", broken)
    event_dispatch_safely(123456)
    assert "not dispatched" in caplog.text


def test_the_catch_up_dispatches_events_the_listener_lost_after_two_minutes(scene):
    event = event_record(request=scene.request, actor=None, kind="release.downloaded")  # no commit: no listener
    assert events_undispatched_catch_up() == 0  # too young
    with time_machine.travel(timezone.now() + timedelta(minutes=3)):
        assert events_undispatched_catch_up() == 1
    assert EventDispatch.objects.filter(event=event).exists()
    assert Notification.objects.filter(event=event).count() == 2


def test_marking_read_touches_only_the_actors_own_notifications(scene, biobank_a):
    event = event_record(request=scene.request, actor=None, kind="release.downloaded")
    event_dispatch(event_id=event.pk)
    theirs = Notification.objects.get(user=scene.teammate)
    assert notifications_mark_read(actor=scene.researcher, notification_ids=[theirs.pk]) == 0
    assert notifications_mark_read(actor=scene.researcher) == 1
    theirs.refresh_from_db()
    assert theirs.read_at is None
