"""Bulk import: a malformed file writes nothing and reports every error; a clean one imports every row, set-based,
with SPREC codes, events and one audit outbox row per specimen."""

from __future__ import annotations

import pytest
from django.db import transaction

from biobank.audit.models import AuditEvent, AuditOutbox, AuditOutboxQuarantine
from biobank.audit.services import audit_drain
from specimens.models import ImportProblem, Specimen, SpecimenEvent
from tests.accounts.factories import make_biobank, make_member
from tests.consent.factories import make_donor
from tests.specimens.factories import make_collection
from tests.specimens.imports.helpers import HEADER, commit, csv_bytes, serum_row, upload

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world():
    biobank = make_biobank()
    technician = make_member(biobank, "technician")
    collection = make_collection(biobank, code="serum-2024")
    donors = [make_donor(biobank) for _ in range(3)]
    return biobank, technician, collection, donors


def problems_of(job):
    return [(p.row, p.column, p.message) for p in ImportProblem.objects.filter(job=job).order_by("id")]


def test_a_clean_file_imports_every_row_with_sprec_events_and_one_audit_row_each(world):
    biobank, technician, _collection, donors = world
    rows = [serum_row(donor, "serum-2024", barcode=f"IMP-{i}") for i, donor in enumerate(donors)]
    rows.append(serum_row(donors[0], "serum-2024"))  # no barcode: generated
    job = upload(technician, biobank, csv_bytes(rows))
    assert (job.status, job.rows_total, job.error_count) == ("valid", 4, 0), problems_of(job)
    assert not Specimen.objects.exists()  # the dry run writes nothing

    job = commit(technician, job)

    assert (job.status, job.imported_count) == ("imported", 4), job.message
    specimens = Specimen.objects.filter(biobank=biobank).order_by("id")
    assert specimens.count() == 4
    first = specimens.get(barcode="IMP-0")
    assert first.sprec_code.startswith("SER-SST-A-")
    assert first.material_type == "Serum" and first.status == "available" and first.quantity == first.initial_quantity
    assert first.created_by == technician
    assert specimens.exclude(barcode__startswith="IMP-").get().barcode.startswith(biobank.code.upper())
    assert SpecimenEvent.objects.filter(specimen__biobank=biobank).count() == 4  # one received event each
    assert set(SpecimenEvent.objects.filter(specimen__biobank=biobank).values_list("type", flat=True)) == {"received"}
    audit_drain()  # the drain after commit has chained them already (eager Celery); this catches any left
    chained = AuditEvent.objects.filter(action="specimen.import")
    assert sorted(int(a.object_id) for a in chained) == sorted(specimens.values_list("id", flat=True))
    assert not AuditOutbox.objects.exists()
    assert not AuditOutboxQuarantine.objects.exists()  # every MAC signed in Python verified at the drain
    assert chained.first().changes["barcode"] == [None, chained.first().changes["barcode"][1]]


def test_a_malformed_file_writes_nothing_and_reports_every_error(world):
    biobank, technician, _collection, donors = world
    rows = [
        serum_row(donors[0], "serum-2024", barcode="DUP-1"),
        serum_row(donors[1], "serum-2024", barcode="DUP-1"),  # duplicate in the file
        serum_row(donors[2], "no-such-collection", quantity="-1"),
        serum_row(donors[0], "serum-2024", unit="litre", centrifugation_g_force="abc"),
        serum_row(donors[0], "serum-2024", storage_temperature_c="37", primary_container="XYZ"),
        {**serum_row(donors[0], "serum-2024"), "donor_pid": "AAAAA-AAAAA-A"},
    ]
    job = upload(technician, biobank, csv_bytes(rows))

    assert job.status == "invalid"
    found = problems_of(job)
    columns = {(row, column) for row, column, _message in found}
    assert {(3, "barcode"), (4, "collection"), (4, "quantity"), (5, "unit"), (5, "centrifugation_g_force")} <= columns
    assert (6, "primary_container") in columns and (6, "storage_temperature_c") in columns
    assert (7, "donor_pid") in columns
    sprec = [message for row, column, message in found if column == "primary_container"]
    assert "position 2" in sprec[0]
    assert not Specimen.objects.exists()


def test_wrong_missing_and_duplicate_columns_are_reported_before_any_row(world):
    biobank, technician, *_ = world
    header = ["barcode", "donor_pid", "donor_pid", "colour", "sample_type", "quantity", "unit"]
    job = upload(technician, biobank, csv_bytes([{"barcode": "x"}], header=header))
    found = problems_of(job)
    assert job.status == "invalid"
    assert {column for _row, column, _message in found} == {"donor_pid", "colour", "collection"}
    assert all(row == 1 for row, _column, _message in found)


def test_a_wrong_encoding_names_the_row_of_the_first_bad_byte(world):
    biobank, technician, _collection, donors = world
    data = csv_bytes([serum_row(donors[0], "serum-2024", notes="ok"), serum_row(donors[1], "serum-2024")])
    data = data.replace(b"ok", "Kühlschrank".encode("latin-1"))
    job = upload(technician, biobank, data)
    ((row, _column, message),) = problems_of(job)
    assert row == 2 and "0xFC" in message and "UTF-8" in message


def test_broken_csv_quoting_is_reported_at_its_row(world):
    biobank, technician, _collection, donors = world
    data = csv_bytes([serum_row(donors[0], "serum-2024")] * 2) + b'x,"broken"quote,\n'
    job = upload(technician, biobank, data)
    assert job.status == "invalid"
    assert any(row == 4 and "CSV" in message for row, _c, message in problems_of(job))


def test_a_file_with_a_bom_and_semicolons_is_read(world):
    biobank, technician, _collection, donors = world
    data = csv_bytes([serum_row(donors[0], "serum-2024")], bom=True).replace(b",", b";")
    job = upload(technician, biobank, data)
    assert job.status == "valid", problems_of(job)


def test_a_barcode_taken_since_the_dry_run_fails_the_commit_and_writes_nothing(world):
    biobank, technician, collection, donors = world
    job = upload(technician, biobank, csv_bytes([serum_row(d, "serum-2024", barcode=f"R-{d.pk}") for d in donors]))
    from tests.specimens.factories import make_specimen

    make_specimen(collection=collection, donor=donors[1], barcode=f"R-{donors[1].pk}")
    job = commit(technician, job)
    assert job.status == "invalid"
    assert [column for _r, column, _m in problems_of(job)] == ["barcode"]
    assert Specimen.objects.count() == 1


def test_a_withdrawn_donors_rows_are_imported_consent_blocked(world, monkeypatch):
    biobank, technician, _collection, donors = world
    # the consent app decides who is withdrawn (its own tests); the import asks it once for all donors of the file
    asked = []
    monkeypatch.setattr(
        "specimens.imports.check.withdrawn_donor_ids", lambda ids: asked.append(sorted(ids)) or {donors[0].pk}
    )
    job = commit(technician, upload(technician, biobank, csv_bytes([serum_row(d, "serum-2024") for d in donors])))
    assert job.status == "imported", problems_of(job)
    statuses = dict(Specimen.objects.values_list("donor_id", "status"))
    assert len(asked) == 2  # dry run and commit: one question each, whatever the number of rows
    assert statuses[donors[0].pk] == "consent_blocked" and statuses[donors[1].pk] == "available"


def test_the_header_of_the_template_is_the_import_header():
    from specimens.imports.template import template_csv

    assert template_csv(example=False).decode("utf-8-sig").strip().split(",") == list(HEADER)


def test_nothing_is_written_when_the_insert_fails_half_way(world, monkeypatch):
    from specimens.imports import commit as commit_module

    biobank, technician, _collection, donors = world
    job = upload(technician, biobank, csv_bytes([serum_row(d, "serum-2024") for d in donors]))

    def broken(*args, **kwargs):
        raise commit_module.DatabaseErrorForTests("disk full")

    monkeypatch.setattr(commit_module, "DatabaseErrorForTests", __import__("django.db").db.DatabaseError, raising=False)
    monkeypatch.setattr(commit_module, "audit_copy", broken)
    monkeypatch.setattr("specimens.services.imports.audit_copy", broken)
    job = commit(technician, job)
    assert job.status == "failed"
    assert not Specimen.objects.exists() and not SpecimenEvent.objects.exists()
    assert transaction.get_autocommit()


def test_the_catch_up_runs_a_check_whose_task_was_never_queued_and_an_import_runs_once(world):
    from specimens.models import ImportJob
    from specimens.services.imports import import_commit, imports_pending

    biobank, technician, _collection, donors = world
    job = upload(technician, biobank, csv_bytes([serum_row(donors[0], "serum-2024")]))
    ImportJob.objects.filter(pk=job.pk).update(status="uploaded")  # as if the broker had lost the task

    assert imports_pending(older_than_seconds=0) == 1
    job.refresh_from_db()
    assert job.status == "valid"
    job = commit(technician, job)
    assert import_commit(job_id=job.pk).status == "imported"  # delivered twice: the second run does nothing
    assert Specimen.objects.count() == 1


def test_an_import_whose_uploader_lost_the_permission_fails_and_writes_nothing(world):
    from biobank.accounts import services as account_services
    from biobank.accounts.models import Membership
    from specimens.services.imports import import_commit

    biobank, technician, _collection, donors = world
    job = upload(technician, biobank, csv_bytes([serum_row(donors[0], "serum-2024")]))
    from specimens.models import ImportJob

    ImportJob.objects.filter(pk=job.pk).update(status="committing")  # asked for, not yet run
    membership = Membership.objects.get(biobank=biobank, user=technician)
    account_services.membership_revoke(actor=None, membership=membership)

    job = import_commit(job_id=job.pk)
    assert job.status == "failed" and "may not change specimens" in job.message
    assert not Specimen.objects.exists()
