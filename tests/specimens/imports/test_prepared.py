"""The commit imports the rows the dry run converted (``<upload>.prepared``) and re-checks, set-based, only what the
database may have changed since: barcodes, donors, collections, withdrawals (``test_commit``); a prepared file of
another upload is refused; without one the whole file is checked again."""

from __future__ import annotations

import pytest

from specimens.imports.prepared import prepared_name
from specimens.models import ImportJob, Specimen, SpecimenEvent
from tests.accounts.factories import make_biobank, make_member
from tests.consent.factories import make_donor
from tests.specimens.factories import make_collection
from tests.specimens.imports.helpers import commit, csv_bytes, serum_row, upload
from tests.specimens.imports.test_commit import problems_of

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world():
    biobank = make_biobank()
    technician = make_member(biobank, "technician")
    make_collection(biobank, code="serum-2024")
    donors = [make_donor(biobank) for _ in range(3)]
    return biobank, technician, donors


def _checked(world, rows=None):
    biobank, technician, donors = world
    job = upload(technician, biobank, csv_bytes(rows or [serum_row(d, "serum-2024") for d in donors]))
    assert job.status == "valid", problems_of(job)
    assert job.file.storage.exists(prepared_name(job))
    return job


def test_the_commit_imports_the_checked_rows_without_reading_the_upload_again(world):
    _biobank, technician, donors = world
    job = _checked(world, [serum_row(d, "serum-2024", barcode=f"P-{n}") for n, d in enumerate(donors)])
    with job.file.storage.open(job.file.name, "wb") as handle:  # the upload is not read by the commit
        handle.write(b"not,a,specimen,file\n")

    job = commit(technician, job)

    assert (job.status, job.imported_count) == ("imported", 3), job.message
    assert sorted(Specimen.objects.values_list("barcode", flat=True)) == ["P-0", "P-1", "P-2"]
    received = SpecimenEvent.objects.get(specimen__barcode="P-0")  # one event: received, the collection in details
    assert received.type == "received" and received.occurred_at == Specimen.objects.get(barcode="P-0").received_at
    assert received.details["import"] == str(job.uid) and received.details["collected_at"].startswith("2024-05-06")
    assert not job.file.storage.exists(prepared_name(job))  # removed once imported


def test_a_prepared_file_of_another_upload_is_refused_and_nothing_written(world):
    _biobank, technician, _donors = world
    job = _checked(world)
    ImportJob.objects.filter(pk=job.pk).update(file_sha256="0" * 64)

    job = commit(technician, job)

    assert job.status == "failed" and "changed since its check" in job.message
    assert not Specimen.objects.exists()


def test_without_a_prepared_file_the_commit_checks_the_whole_file_again(world):
    _biobank, technician, _donors = world
    job = _checked(world)
    job.file.storage.delete(prepared_name(job))

    job = commit(technician, job)

    assert (job.status, job.imported_count) == ("imported", 3), job.message


def test_a_donor_merged_and_a_collection_gone_since_the_dry_run_are_reported_on_their_rows(world):
    from catalog.models import Collection
    from consent.models import Donor

    biobank, technician, donors = world
    job = _checked(world)
    Donor.objects.filter(pk=donors[1].pk).update(status="merged", merged_into=donors[0])
    Collection.objects.filter(biobank=biobank, code="serum-2024").update(code="serum-old")

    job = commit(technician, job)

    assert job.status == "invalid"
    found = problems_of(job)
    assert (3, "donor_pid") in {(row, column) for row, column, _m in found}
    assert sorted(row for row, column, _m in found if column == "collection") == [2, 3, 4]
    assert not Specimen.objects.exists() and not SpecimenEvent.objects.exists()
