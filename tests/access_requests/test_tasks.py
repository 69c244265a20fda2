"""The build task and its catch-up: a release whose dispatch was lost is built a minute later."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from access_requests import tasks
from access_requests.models import Release
from access_requests.services.releases import release_request
from tests.access_requests.fulfil_factories import decider, media_root, setup_world  # noqa: F401

pytestmark = pytest.mark.django_db


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
