"""A withdrawal reaches requests (counts only, never names), drops prepared shipments' specimens, and the donor's
list of projects shows who received their data or material."""

from __future__ import annotations

import pytest
from django.utils import timezone

from access_requests.models import RequestEvent, ShipmentItem
from access_requests.services.shipments import shipment_prepare
from access_requests.services.withdrawals import donor_projects
from consent import services as consent_services
from consent.models import WithdrawalPropagation
from consent.withdrawal_effects import withdrawal_effects
from tests.access_requests.fulfil_factories import (  # noqa: F401  (media_root: autouse fixture)
    built_release,
    decider,
    media_root,
    setup_world,
)
from tests.specimens.factories import consent_officer

pytestmark = pytest.mark.django_db


def withdraw(donor, capture, level="no_further_access"):
    with capture(execute=True):
        consent_services.donor_withdraw(
            actor=consent_officer(donor.biobank),
            donor=donor,
            level=level,
            effective=timezone.localdate(),
            reason="Letter",
        )
    return WithdrawalPropagation.objects.filter(donor=donor).latest("pk")


def test_the_effect_is_registered_after_the_specimen_block():
    names = [name for name, _effect in withdrawal_effects()]
    assert names.index("specimens.consent_block") < names.index("access_requests.requests")


def test_requests_holding_the_donor_are_told_counts_only(biobank_a, django_capture_on_commit_callbacks, mailoutbox):
    resource, donors, _specimens = setup_world(biobank_a, donors=2)
    release = built_release(resource, django_capture_on_commit_callbacks)
    decider(biobank_a)
    row = withdraw(donors[0], django_capture_on_commit_callbacks)
    assert row.steps["access_requests.requests"]["result"]["requests_notified"] == 1
    event = RequestEvent.objects.get(kind="withdrawal.notified", resource=resource)
    assert event.data["releases"] == {str(release.pk): 1}
    assert donors[0].pid not in str(event.data)
    mails = [m for m in mailoutbox if "withdrew" in m.subject]
    assert {m.to[0] for m in mails} == {resource.request.researcher.email, f"chair-{biobank_a.code}@example.org"}
    for mail in mails:
        assert "1 donor of release" in mail.body and donors[0].pid not in mail.body
        assert donors[0].pid_display not in mail.body


def test_a_release_built_after_the_withdrawal_does_not_contain_the_donor(biobank_a, django_capture_on_commit_callbacks):
    resource, donors, _specimens = setup_world(biobank_a, donors=2)
    withdraw(donors[0], django_capture_on_commit_callbacks)
    release = built_release(resource, django_capture_on_commit_callbacks)
    assert not release.donors.filter(donor_id=donors[0].pk).exists() and release.excluded_donors == 1
    assert not RequestEvent.objects.filter(kind="withdrawal.notified").exists()


def test_a_prepared_shipment_drops_the_donors_specimens(biobank_a, technician_a, django_capture_on_commit_callbacks):
    resource, donors, specimens = setup_world(biobank_a, donors=2)
    shipment = shipment_prepare(
        actor=technician_a, resource=resource, specimen_ids=[s.pk for s in specimens], address="Lab"
    )
    row = withdraw(donors[0], django_capture_on_commit_callbacks)
    assert row.steps["access_requests.requests"]["result"]["shipment_specimens_dropped"] == 1
    assert list(ShipmentItem.objects.filter(shipment=shipment).values_list("specimen_id", flat=True)) == [
        specimens[1].pk
    ]
    specimens[0].refresh_from_db()
    assert specimens[0].status == "consent_blocked"


def test_the_donors_projects_list_releases_they_are_in(biobank_a, django_capture_on_commit_callbacks):
    resource, donors, _specimens = setup_world(biobank_a, donors=2)
    assert donor_projects(frozenset({donors[0].pk})) == []
    built_release(resource, django_capture_on_commit_callbacks)
    (project,) = donor_projects(frozenset({donors[0].pk}))
    request = resource.request
    assert project["title"] == request.title and project["institution"] == "Karolinska Institutet"
    assert project["purpose"] == str(request.get_purpose_kind_display())
    entitlement = resource.entitlements.get()
    assert (project["start"], project["end"]) == (entitlement.starts_on, entitlement.ends_on)
    assert donor_projects(frozenset({999999})) == []
