"""The Directory import: complete checks with a row-level report, all-or-nothing writes, and the round trip."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from biobank.accounts.models import Biobank
from biobank.audit.models import AuditEvent, AuditOutbox
from catalog.directory import export
from catalog.directory.importer import import_directory
from catalog.models import BiobankProfile, Collection, CollectionFact, Network, Person
from tests.accounts.factories import make_biobank
from tests.catalog.factories import make_described_catalogue

pytestmark = pytest.mark.django_db


def _cells(data: bytes) -> dict[str, list[list]]:
    workbook = load_workbook(io.BytesIO(data))
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in workbook.worksheets}


def _audited(action: str) -> int:
    return AuditOutbox.objects.filter(action=action).count() + AuditEvent.objects.filter(action=action).count()


def _wipe_catalogue() -> None:
    CollectionFact.objects.all().delete()
    Collection.objects.all().update(parent=None)
    for model in (Collection, BiobankProfile, Network):
        model.objects.all().delete()
    Person.objects.all().delete()
    Biobank.objects.all().delete()


def _edit(data: bytes, change) -> bytes:
    workbook = load_workbook(io.BytesIO(data))
    change(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _set(workbook, sheet: str, row: int, column: str, value) -> None:
    ws = workbook[sheet]
    header = [c.value for c in ws[1]]
    ws.cell(row=row, column=header.index(column) + 1, value=value)


@pytest.fixture
def workbook() -> bytes:
    make_described_catalogue(make_biobank("uh-berlin", "University Hospital Berlin"))
    make_described_catalogue(make_biobank("graz-bank", "Graz Biobank", country="AT"), node="AT")
    return export.export_bytes("xlsx")


@pytest.mark.parametrize("fmt", ["xlsx", "zip"])
def test_export_import_into_an_empty_database_export_again_gives_the_same_workbook(workbook, fmt):
    first = export.export_bytes(fmt)
    _wipe_catalogue()

    report = import_directory(actor=None, data=first, file_name=f"d.{fmt}", may_create_biobanks=True)

    assert report.ok, [p.as_dict() for p in report.problems]
    assert report.counts == {"persons": 2, "networks": 2, "biobanks": 2, "collections": 4, "facts": 12}
    again = export.export_bytes("xlsx")
    original = _cells(workbook)
    assert _cells(again) == original  # cell by cell, every sheet
    assert Biobank.objects.filter(code="uh-berlin").exists()
    assert _audited("directory.import") == 1


def test_a_dry_run_checks_everything_and_writes_nothing(workbook):
    _wipe_catalogue()

    report = import_directory(actor=None, data=workbook, file_name="d.xlsx", dry_run=True, may_create_biobanks=True)

    assert report.ok and report.counts["collections"] == 4
    assert not Collection.objects.exists() and not Person.objects.exists()


def _problems(report) -> set[tuple[str, str, str]]:
    return {(p.sheet, p.column, p.value) for p in report.problems}


def test_a_missing_sheet_and_a_missing_or_foreign_column_are_reported_and_nothing_is_written(workbook):
    def change(wb):
        del wb["networks"]
        wb["persons"].delete_cols(6)  # email
        wb["biobanks"].cell(row=1, column=18, value="national_node")

    before = Person.objects.count()
    report = import_directory(actor=None, data=_edit(workbook, change), file_name="d.xlsx")

    assert ("networks", "", "") in _problems(report)
    assert ("persons", "email", "") in _problems(report)
    assert ("biobanks", "national_node", "national_node") in _problems(report)
    message = next(p.message for p in report.problems if p.column == "email")
    assert "title_before_name" in message  # the columns the sheet needs are named
    assert Person.objects.count() == before


def test_bad_cells_are_each_reported_with_sheet_row_column_value_and_the_allowed_values(workbook):
    rows = {sheet: [r[0] for r in cells] for sheet, cells in _cells(workbook).items()}
    crc = rows["collections"].index("bbmri-eric:ID:DE_uh-berlin:collection:crc") + 1
    rectum = rows["collections"].index("bbmri-eric:ID:DE_uh-berlin:collection:crc-rectum") + 1

    def change(wb):
        _set(wb, "collections", crc, "materials", "DNA,BLOOD_PUDDING")
        _set(wb, "collections", crc, "age_low", 95)
        _set(wb, "collections", crc, "parent_collection", "bbmri-eric:ID:DE_uh-berlin:collection:crc-rectum")
        _set(wb, "collections", rectum, "contact", "bbmri-eric:contactID:DE_nobody")
        _set(wb, "persons", 2, "id", "contact:DE_x")
        _set(wb, "biobanks", 2, "withdrawn", "maybe")
        _set(wb, "facts", 2, "disease", "urn:miriam:icd:Z99.99")

    descriptions_before = list(Collection.objects.values_list("pk", "materials", "age_low", "parent"))
    report = import_directory(actor=None, data=_edit(workbook, change), file_name="d.xlsx")

    found = {(p.sheet, p.row, p.column, p.value): p.message for p in report.problems}
    unknown = found[("collections", crc, "materials", "BLOOD_PUDDING")]
    assert "PLASMA" in unknown  # the allowed codes are named
    assert ("collections", crc, "age_low", "95") in found
    assert any(k[2] == "parent_collection" and "cycle" in m for k, m in found.items())
    assert ("collections", rectum, "contact", "bbmri-eric:contactID:DE_nobody") in found
    assert ("persons", 2, "id", "contact:DE_x") in found
    assert ("biobanks", 2, "withdrawn", "maybe") in found
    assert ("facts", 2, "disease", "urn:miriam:icd:Z99.99") in found
    assert list(Collection.objects.values_list("pk", "materials", "age_low", "parent")) == descriptions_before
    assert report.counts == {}


def test_a_data_manager_may_not_import_into_another_biobank_nor_create_one(workbook):
    berlin = Biobank.objects.get(code="uh-berlin")
    _ = make_biobank("third-bank", "Third")
    BiobankProfile.objects.filter(biobank__code="graz-bank").delete()

    report = import_directory(actor=None, data=workbook, file_name="d.xlsx", allowed_biobanks={berlin.pk})

    assert any(p.sheet == "biobanks" and "create" in p.message for p in report.problems)
    assert not Biobank.objects.filter(name="Graz Biobank").exclude(code="graz-bank").exists()


def test_an_unreadable_file_is_a_problem_not_a_crash():
    report = import_directory(actor=None, data=b"not a workbook", file_name="d.xlsx")

    assert not report.ok and report.problems[0].value == "d.xlsx"
