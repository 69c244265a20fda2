"""``notifications_unread`` for templates: the person's own unread count, and no query unless a template uses it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from access_requests.context_processors import notifications
from access_requests.services.notifications import event_dispatch
from access_requests.services.workflow import event_record
from tests.access_requests.notify_factories import make_scene

pytestmark = pytest.mark.django_db


def test_it_counts_the_persons_unread_notifications_lazily(biobank_a, biobank_b):
    scene = make_scene(biobank_a, biobank_b)
    event_dispatch(event_id=event_record(request=scene.request, actor=None, kind="release.downloaded").pk)
    request = RequestFactory().get("/")
    request.user = scene.researcher
    with CaptureQueriesContext(connection) as queries:
        context = notifications(request)
    assert len(queries) == 0
    assert int(context["notifications_unread"]) == 1


def test_anonymous_visitors_get_nothing():
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    assert notifications(request) == {}
