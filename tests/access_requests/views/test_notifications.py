"""The notification page per person: their own, newest first, unread marked; opening marks read; another
person's notification is a 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from access_requests.models import Notification
from access_requests.services.notifications import event_dispatch
from access_requests.services.workflow import event_record
from tests.access_requests.notify_factories import make_scene

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(biobank_a, biobank_b):
    scene = make_scene(biobank_a, biobank_b)
    for kind in ("release.downloaded", "entitlement.expiring"):
        event_dispatch(event_id=event_record(request=scene.request, actor=None, kind=kind).pk)
    return scene


def test_the_researcher_sees_their_notifications_newest_first_with_the_unread_count(client, scene):
    client.force_login(scene.researcher)
    response = client.get(reverse("access_requests:notifications"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "2 unread notifications" in body
    assert body.index("entitlement expiring") < body.index("release downloaded")
    assert "Mark all read" in body


def test_a_committee_member_sees_none_of_the_researchers_notifications(client, scene):
    client.force_login(scene.committee_b[0])
    body = client.get(reverse("access_requests:notifications")).content.decode()
    assert "No notifications yet." in body


def test_opening_a_notification_marks_it_read_and_goes_to_the_request(client, scene):
    notification = Notification.objects.filter(user=scene.researcher).first()
    client.force_login(scene.researcher)
    response = client.post(reverse("access_requests:notification_open", args=[notification.pk]))
    assert response.status_code == 302 and response["Location"] == notification.url
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_opening_someone_elses_notification_is_404_and_changes_nothing(client, scene):
    theirs = Notification.objects.filter(user=scene.teammate).first()
    client.force_login(scene.researcher)
    response = client.post(reverse("access_requests:notification_open", args=[theirs.pk]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_marks_only_ones_own(client, scene):
    client.force_login(scene.researcher)
    response = client.post(reverse("access_requests:notifications_read_all"))
    assert response.status_code == 302
    assert not Notification.objects.filter(user=scene.researcher, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=scene.teammate, read_at__isnull=True).count() == 2


def test_the_account_section_links_the_page_for_researchers_and_reviewers_only(client, scene, technician_a):
    url = reverse("access_requests:notifications")
    for person, shown in ((scene.researcher, True), (scene.committee_a[1], True), (technician_a, False)):
        client.force_login(person)
        assert (f'href="{url}"' in client.get(reverse("accounts:profile")).content.decode()) is shown, person


def test_anonymous_visitors_sign_in_first(client):
    response = client.get(reverse("access_requests:notifications"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
