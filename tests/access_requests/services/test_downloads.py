"""Downloads: a personal, expiring link; every download checked again and audited; refusals change nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from guardian.shortcuts import remove_perm

from access_requests.models import Download, DownloadLink, RequestEvent
from access_requests.services.downloads import LinkGone, LinkNotFound, download_link_create, download_record
from biobank.audit.models import AuditOutbox
from biobank.errors import ForbiddenError
from tests.access_requests.factories import make_researcher
from tests.access_requests.fulfil_factories import (  # noqa: F401  (media_root: autouse fixture)
    built_release,
    media_root,
    setup_world,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def release(biobank_a, django_capture_on_commit_callbacks):
    resource, _donors, _specimens = setup_world(biobank_a, donors=2)
    return built_release(resource, django_capture_on_commit_callbacks)


def test_the_researcher_gets_a_link_and_downloads_audited(release):
    researcher = release.resource.request.researcher
    link, token = download_link_create(actor=researcher, release=release)
    assert link.token_hash != token and len(token) > 30
    assert link.expires_at <= timezone.now() + timedelta(days=7)
    got, field = download_record(user=researcher, token=token, file="csv", ip="127.0.0.1")
    assert got == release and field.name == release.csv_file.name
    assert Download.objects.filter(release=release, user=researcher, file="csv").count() == 1
    assert RequestEvent.objects.filter(kind="release.downloaded", data__file="csv").exists()
    assert AuditOutbox.objects.filter(action="access_request.release.downloaded").exists()


def test_a_link_ends_with_the_entitlement_when_that_is_sooner(release):
    researcher = release.resource.request.researcher
    release.resource.entitlements.update(ends_on=timezone.localdate() + timedelta(days=2))
    link, _token = download_link_create(actor=researcher, release=release)
    assert timezone.localdate(link.expires_at) == timezone.localdate() + timedelta(days=2)


def test_an_expired_link_is_gone_and_nothing_is_served(release):
    researcher = release.resource.request.researcher
    link, token = download_link_create(actor=researcher, release=release)
    DownloadLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(LinkGone, match="expired"):
        download_record(user=researcher, token=token, file="csv")
    assert not Download.objects.exists()


def test_someone_elses_link_is_not_found(release):
    _link, token = download_link_create(actor=release.resource.request.researcher, release=release)
    with pytest.raises(LinkNotFound):
        download_record(user=make_researcher(), token=token, file="csv")
    with pytest.raises(LinkNotFound):
        download_record(user=release.resource.request.researcher, token="made-up", file="csv")
    assert not Download.objects.exists()


@pytest.mark.parametrize("how", ["revoked", "ended", "expired"])
def test_no_download_after_the_entitlement_stops(release, how):
    researcher = release.resource.request.researcher
    _link, token = download_link_create(actor=researcher, release=release)
    if how == "revoked":
        release.resource.entitlements.update(revoked_at=timezone.now())
    elif how == "ended":
        release.resource.entitlements.update(ended_at=timezone.now())
    else:
        release.resource.entitlements.update(
            starts_on=timezone.localdate() - timedelta(days=10), ends_on=timezone.localdate() - timedelta(days=1)
        )
    with pytest.raises(ForbiddenError, match="ended or was revoked"):
        download_record(user=researcher, token=token, file="xlsx")
    with pytest.raises(ForbiddenError):
        download_link_create(actor=researcher, release=release)
    assert not Download.objects.exists()


def test_no_download_without_the_guardian_permission(release):
    researcher = release.resource.request.researcher
    _link, token = download_link_create(actor=researcher, release=release)
    remove_perm("access_requests.download_release", researcher, release)
    researcher = type(researcher).objects.get(pk=researcher.pk)  # drop guardian's per-object cache
    with pytest.raises(ForbiddenError):
        download_record(user=researcher, token=token, file="dictionary")
