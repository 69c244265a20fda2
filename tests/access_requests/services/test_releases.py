"""Releases: who may ask for one, the build with the consent re-check at build time, release pseudonyms, failure."""

from __future__ import annotations

import csv
import io
from unittest import mock

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from access_requests.choices import ReleaseStatus
from access_requests.models import Release, ReleaseDonor, RequestEvent
from access_requests.services.releases import release_build, release_request, release_retry
from biobank.errors import ConflictError, ForbiddenError
from biobank.pseudonyms.models import Pseudonym
from consent import services as consent_services
from tests.access_requests.fulfil_factories import (  # noqa: F401  (media_root: autouse fixture)
    built_release,
    decider,
    granted_resource,
    media_root,
    plasma,
    release_donor,
    setup_world,
)
from tests.specimens.factories import consent_officer

pytestmark = pytest.mark.django_db


def rows_of(release: Release) -> list[dict[str, str]]:
    with release.csv_file.open("rb") as handle:
        return list(csv.DictReader(io.StringIO(handle.read().decode())))


def test_it_builds_a_release_with_only_the_approved_attributes(biobank_a, django_capture_on_commit_callbacks):
    resource, donors, _specimens = setup_world(biobank_a)
    release = built_release(resource, django_capture_on_commit_callbacks)
    assert release.status == ReleaseStatus.READY
    assert (release.specimen_count, release.donor_count, release.excluded_donors) == (3, 3, 0)
    rows = rows_of(release)
    assert list(rows[0]) == ["donor_pseudonym", "specimen_pseudonym", "sex", "material_type", "collected_on"]
    assert {r["sex"] for r in rows} == {"female"}
    with release.xlsx_file.open("rb") as handle:
        sheet = load_workbook(handle, read_only=True).active
        header = next(sheet.iter_rows(values_only=True))
    assert list(header) == list(rows[0])
    with release.dictionary_file.open("rb") as handle:
        dictionary = list(csv.DictReader(io.StringIO(handle.read().decode())))
    assert [d["column"] for d in dictionary] == list(rows[0])
    assert release.built_at and release.consent_checked_at and release.expires_at
    assert set(ReleaseDonor.objects.filter(release=release).values_list("donor_id", flat=True)) == {
        d.pk for d in donors
    }


def test_pseudonyms_differ_from_pids_barcodes_and_another_release(biobank_a, django_capture_on_commit_callbacks):
    resource, donors, specimens = setup_world(biobank_a)
    first = rows_of(built_release(resource, django_capture_on_commit_callbacks))
    second = rows_of(built_release(resource, django_capture_on_commit_callbacks))
    identifiers = {d.pid for d in donors} | {d.pid_display for d in donors} | {s.barcode for s in specimens}
    written = {r["donor_pseudonym"] for r in first} | {r["specimen_pseudonym"] for r in first}
    assert not written & identifiers
    assert len({r["donor_pseudonym"] for r in first}) == 3
    assert not {r["donor_pseudonym"] for r in first} & {r["donor_pseudonym"] for r in second}
    assert not {r["specimen_pseudonym"] for r in first} & {r["specimen_pseudonym"] for r in second}


def test_a_donor_who_withdrew_before_the_build_is_absent_and_counted(biobank_a, django_capture_on_commit_callbacks):
    resource, donors, _specimens = setup_world(biobank_a)
    with django_capture_on_commit_callbacks(execute=True):
        consent_services.donor_withdraw(
            actor=consent_officer(biobank_a),
            donor=donors[0],
            level="no_further_use",
            effective=timezone.localdate(),
            reason="Letter",
        )
    release = built_release(resource, django_capture_on_commit_callbacks)
    assert (release.donor_count, release.excluded_donors) == (2, 1)
    assert not ReleaseDonor.objects.filter(release=release, donor_id=donors[0].pk).exists()


def test_a_donor_who_declined_data_use_is_excluded(biobank_a, django_capture_on_commit_callbacks):
    resource, _donors, _specimens = setup_world(biobank_a, donors=1)
    declined = release_donor(biobank_a, **{"rel-data": "declined"})
    plasma(resource.collections.get(), declined)
    release = built_release(resource, django_capture_on_commit_callbacks)
    assert (release.donor_count, release.excluded_donors, release.specimen_count) == (1, 1, 1)


def test_the_criteria_narrow_the_specimens(biobank_a, django_capture_on_commit_callbacks):
    resource, _donors, _specimens = setup_world(biobank_a)
    request = resource.request
    request.criteria = {"material_types": ["Serum"]}
    request.save(update_fields=["criteria"])
    release = built_release(resource, django_capture_on_commit_callbacks)
    assert release.status == ReleaseStatus.READY and release.specimen_count == 0


def test_only_a_decider_of_the_biobank_may_ask(biobank_a, technician_a):
    resource, _donors, _specimens = setup_world(biobank_a, donors=1)
    with pytest.raises(ForbiddenError):
        release_request(actor=technician_a, resource=resource)
    assert not Release.objects.exists()


def test_a_resource_without_granted_access_is_refused(biobank_a):
    from tests.access_requests.factories import make_request, make_researcher

    request = make_request(make_researcher(), [biobank_a], status="decided", resource_status="conditions_accepted")
    with pytest.raises(ConflictError, match="granted"):
        release_request(actor=decider(biobank_a), resource=request.resources.get())


def test_an_ended_entitlement_is_refused(biobank_a):
    resource = granted_resource(biobank_a)
    resource.entitlements.update(revoked_at=timezone.now())
    with pytest.raises(ConflictError, match="entitlement"):
        release_request(actor=decider(biobank_a), resource=resource)


def test_a_failed_build_is_recorded_and_retried(biobank_a, django_capture_on_commit_callbacks):
    resource, _donors, _specimens = setup_world(biobank_a, donors=1)
    failing = mock.patch("access_requests.services.releases.build_files", side_effect=RuntimeError("disk full"))
    with failing, django_capture_on_commit_callbacks(execute=True):
        release = release_request(actor=decider(biobank_a), resource=resource)
    release.refresh_from_db()
    assert release.status == ReleaseStatus.FAILED and "disk full" in release.error
    with django_capture_on_commit_callbacks(execute=True):
        release_retry(actor=decider(biobank_a), release=release)
    release.refresh_from_db()
    assert release.status == ReleaseStatus.READY and release.error == ""
    kinds = list(RequestEvent.objects.filter(resource=resource).order_by("pk").values_list("kind", flat=True))
    assert kinds[-5:] == ["release.queued", "release.failed", "release.queued", "release.building", "release.ready"]


def test_building_twice_does_nothing_the_second_time(biobank_a, django_capture_on_commit_callbacks):
    resource, _donors, _specimens = setup_world(biobank_a, donors=1)
    release = built_release(resource, django_capture_on_commit_callbacks)
    assert release_build(release_id=release.pk) is None
    assert Pseudonym.objects.filter(domain=release.domain).count() == 2
