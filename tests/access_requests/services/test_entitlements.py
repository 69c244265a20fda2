"""Entitlements: granting gives the guardian permissions, revoking takes them at once, the beat tasks warn and
expire on time (frozen time), renewal needs a progress report, closing needs a destruction certificate."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.core import mail

from access_requests.choices import ReportKind, RequestStatus, ResourceStatus
from access_requests.models import Entitlement, RequestEvent, TeamMember
from access_requests.services.entitlements import (
    add_months,
    entitlement_perms_sync,
    entitlement_renew,
    entitlement_revoke,
    entitlements_expire,
    entitlements_warn,
    request_close,
    resource_grant,
)
from access_requests.services.reports import report_submit
from biobank.accounts.models import User
from biobank.errors import ConflictError, DomainError, ForbiddenError
from tests.access_requests.entitle_factories import (
    accept_both,
    make_conditions_indicated,
    make_granted,
    make_ready_release,
)
from tests.access_requests.factories import make_committee, make_researcher

pytestmark = pytest.mark.django_db

START = "2026-03-02 09:00:00+00:00"


def _fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)  # no permission cache carried over


def test_add_months_keeps_the_day_or_takes_the_last_of_the_month():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 15), 12) == date(2027, 11, 15)


def test_granting_gives_the_collection_and_ready_releases_and_activates_the_request(biobank_a):
    g = make_conditions_indicated(biobank_a)
    release = make_ready_release(g.resource, g.chair)
    accept_both(g)
    resource_grant(actor=g.chair, resource=g.resource)
    g.request.refresh_from_db()
    g.resource.refresh_from_db()
    assert g.resource.status == ResourceStatus.ACCESS_GRANTED
    assert g.request.status == RequestStatus.ACTIVE
    user = _fresh(g.researcher)
    assert user.has_perm("catalog.view_collection", g.collection)
    assert user.has_perm("access_requests.download_release", release)


def test_the_end_is_the_decision_date_or_one_year_at_most(biobank_a, biobank_b):
    with time_machine.travel(START, tick=False):
        g = make_granted(biobank_a, access_ends_on=date(2026, 9, 30))
        assert Entitlement.objects.get(resource=g.resource).ends_on == date(2026, 9, 30)
        h = make_granted(biobank_b, duration_months=36)
        assert Entitlement.objects.get(resource=h.resource).ends_on == date(2027, 3, 2)


def test_confirmed_co_applicants_get_an_entitlement_too(biobank_a):
    g = make_conditions_indicated(biobank_a)
    colleague = make_researcher()
    TeamMember.objects.create(
        request=g.request, name="Co", email=colleague.email, user=colleague, confirmed_at=g.request.created_at
    )
    accept_both(g)
    resource_grant(actor=g.chair, resource=g.resource)
    assert set(Entitlement.objects.values_list("user_id", flat=True)) == {g.researcher.pk, colleague.pk}
    assert _fresh(colleague).has_perm("catalog.view_collection", g.collection)


def test_a_repeated_grant_changes_nothing(biobank_a):
    g = make_granted(biobank_a)
    resource_grant(actor=g.chair, resource=g.resource)
    assert Entitlement.objects.count() == 1


def test_a_grant_before_the_conditions_are_accepted_is_refused(biobank_a):
    g = make_conditions_indicated(biobank_a)
    with pytest.raises(ConflictError):
        resource_grant(actor=g.chair, resource=g.resource)


def test_a_chair_of_biobank_b_cannot_grant_a_resource_of_a(biobank_a, biobank_b):
    g = make_conditions_indicated(biobank_a)
    accept_both(g)
    _committee, chair_b, _members = make_committee(biobank_b)
    with pytest.raises(ForbiddenError):
        resource_grant(actor=chair_b, resource=g.resource)
    with pytest.raises(ForbiddenError):
        resource_grant(actor=g.members[0], resource=g.resource)  # a member votes, the chair grants
    assert not Entitlement.objects.exists()


def test_revoking_removes_access_at_once_and_revokes_the_request(biobank_a):
    g = make_granted(biobank_a)
    release = make_ready_release(g.resource, g.chair)
    entitlement_perms_sync(g.resource)
    assert _fresh(g.researcher).has_perm("access_requests.download_release", release)
    with pytest.raises(DomainError):
        entitlement_revoke(actor=g.chair, resource=g.resource, reason=" ")
    entitlement_revoke(actor=g.chair, resource=g.resource, reason="Data shared with a third party.")
    user = _fresh(g.researcher)
    assert not user.has_perm("catalog.view_collection", g.collection)
    assert not user.has_perm("access_requests.download_release", release)
    g.request.refresh_from_db()
    assert g.request.status == RequestStatus.REVOKED
    row = Entitlement.objects.get()
    assert row.revoked_by == g.chair and row.revoke_reason == "Data shared with a third party."


def test_a_member_may_not_revoke(biobank_a):
    g = make_granted(biobank_a)
    with pytest.raises(ForbiddenError):
        entitlement_revoke(actor=g.members[0], entitlement=Entitlement.objects.get(), reason="no")


def test_the_warning_goes_out_once_thirty_days_ahead(biobank_a, django_capture_on_commit_callbacks):
    with time_machine.travel(START, tick=False):
        g = make_granted(biobank_a, access_ends_on=date(2026, 6, 30))
    with time_machine.travel("2026-05-30 03:00:00+00:00", tick=False):
        assert entitlements_warn() == 0  # 31 days ahead
    with time_machine.travel("2026-05-31 03:00:00+00:00", tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert entitlements_warn() == 1
        assert entitlements_warn() == 0
    assert Entitlement.objects.get().warned_at is not None
    assert RequestEvent.objects.filter(request=g.request, kind="entitlement.expiring").count() == 1
    assert any(g.researcher.email in e.to for e in mail.outbox)


def test_access_ends_after_the_last_day_and_the_request_expires(biobank_a):
    with time_machine.travel(START, tick=False):
        g = make_granted(biobank_a, access_ends_on=date(2026, 6, 30))
    with time_machine.travel("2026-06-30 20:00:00+00:00", tick=False):
        assert entitlements_expire() == 0  # the last day still counts
        assert _fresh(g.researcher).has_perm("catalog.view_collection", g.collection)
    with time_machine.travel("2026-07-01 06:00:00+00:00", tick=False):
        assert entitlements_expire() == 1
        assert entitlements_expire() == 0
    assert not _fresh(g.researcher).has_perm("catalog.view_collection", g.collection)
    g.request.refresh_from_db()
    assert g.request.status == RequestStatus.EXPIRED
    assert Entitlement.objects.get().ended_at is not None


def test_renewal_needs_a_progress_report_and_restores_access(biobank_a):
    with time_machine.travel(START, tick=False):
        g = make_granted(biobank_a, access_ends_on=date(2026, 6, 30))
        report_submit(actor=g.researcher, request=g.request, kind=ReportKind.PROGRESS, title="Early", text="old")
    with time_machine.travel("2026-07-02 09:00:00+00:00", tick=False):
        entitlements_expire()
        with pytest.raises(ConflictError, match="progress report"):
            entitlement_renew(actor=g.chair, request=g.request, until=date(2027, 6, 30))
        report_submit(actor=g.researcher, request=g.request, kind=ReportKind.PROGRESS, title="Year 1", text="Done")
        with pytest.raises(DomainError):
            entitlement_renew(actor=g.chair, request=g.request, until=date(2028, 1, 1))  # over a year
        entitlement_renew(actor=g.chair, request=g.request, until=date(2027, 6, 30))
    g.request.refresh_from_db()
    assert g.request.status == RequestStatus.ACTIVE
    assert _fresh(g.researcher).has_perm("catalog.view_collection", g.collection)
    running = Entitlement.objects.get(ended_at__isnull=True, revoked_at__isnull=True)
    assert running.ends_on == date(2027, 6, 30)
    assert Entitlement.objects.count() == 2


def test_closing_data_needs_a_destruction_certificate(biobank_a):
    g = make_granted(biobank_a, data_categories=["phenotype"])
    with pytest.raises(ConflictError, match="destruction"):
        request_close(actor=g.researcher, request=g.request)
    report_submit(
        actor=g.researcher,
        request=g.request,
        kind=ReportKind.DESTRUCTION,
        title="Deleted",
        text="All copies deleted on 2026-03-01.",
    )
    request_close(actor=g.researcher, request=g.request)
    g.request.refresh_from_db()
    assert g.request.status == RequestStatus.CLOSED
    assert not _fresh(g.researcher).has_perm("catalog.view_collection", g.collection)


def test_another_researcher_may_not_close(biobank_a):
    g = make_granted(biobank_a)
    with pytest.raises(ForbiddenError):
        request_close(actor=make_researcher(), request=g.request)


def test_material_only_closes_without_a_certificate(biobank_a):
    g = make_granted(biobank_a)
    request_close(actor=g.chair, request=g.request)
    g.request.refresh_from_db()
    assert g.request.status == RequestStatus.CLOSED


def test_the_expired_request_is_revived_by_time_only_through_renewal(biobank_a):
    with time_machine.travel(START, tick=False):
        g = make_granted(biobank_a, access_ends_on=date(2026, 3, 10))
    with time_machine.travel(date(2026, 3, 2) + timedelta(days=9), tick=False):
        entitlements_expire()
        resource_grant(actor=g.chair, resource=g.resource)  # granted already: no new access
    assert not _fresh(g.researcher).has_perm("catalog.view_collection", g.collection)
