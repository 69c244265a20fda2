"""XLSX files and the downloadable template: download → fill → import round-trips, in both formats."""

from __future__ import annotations

import io

import pytest

from specimens.imports.check import check_file
from specimens.imports.columns import HEADER
from specimens.imports.reading import csv_rows
from specimens.imports.template import readme_csv, template_csv, template_xlsx
from tests.accounts.factories import make_biobank
from tests.consent.factories import make_donor
from tests.specimens.factories import make_collection
from tests.specimens.imports.helpers import SERUM

pytestmark = pytest.mark.django_db


@pytest.fixture
def bank():
    biobank = make_biobank()
    make_collection(biobank, code="serum-2024")
    return biobank, make_donor(biobank)


def _filled_xlsx(donor, template: bytes) -> bytes:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(template))
    sheet = book["specimens"]
    header = [cell.value for cell in sheet[1]]
    sheet.delete_rows(2)  # the example row
    for barcode in ("X-1", "X-2"):
        values = {**SERUM, "barcode": barcode, "donor_pid": donor.pid_display, "collection": "serum-2024"}
        sheet.append([values.get(name) for name in header])
    sheet.cell(row=3, column=header.index("quantity") + 1, value=0.25)  # a number, as a spreadsheet stores it
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_xlsx_template_has_the_header_and_a_readme_sheet_explaining_every_column():
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(template_xlsx()))
    assert book.sheetnames == ["specimens", "README"]
    assert tuple(cell.value for cell in book["specimens"][1]) == HEADER
    explained = [row[0] for row in book["README"].iter_rows(min_row=2, values_only=True)]
    assert explained == list(HEADER)
    required = {row[0] for row in book["README"].iter_rows(min_row=2, values_only=True) if row[1] == "yes"}
    assert required == {"donor_pid", "collection", "sample_type", "quantity", "unit"}


def test_the_filled_xlsx_template_checks_clean(bank):
    biobank, donor = bank
    report = check_file(data=_filled_xlsx(donor, template_xlsx()), file_format="xlsx", biobank=biobank)
    assert report.problems == [] and report.rows == 2


def test_the_csv_template_filled_in_checks_clean(bank):
    biobank, donor = bank
    lines = template_csv(example=False).decode("utf-8-sig").splitlines()
    values = {**SERUM, "donor_pid": donor.pid_display, "collection": "serum-2024"}
    lines.append(",".join(values.get(name, "") for name in HEADER))
    report = check_file(data=("\n".join(lines) + "\n").encode("utf-8-sig"), file_format="csv", biobank=biobank)
    assert report.problems == [] and report.rows == 1


def test_the_readme_names_every_column_once():
    rows = [cells for _n, cells in csv_rows(readme_csv())]
    assert [cells[0] for cells in rows[1:]] == list(HEADER)


def test_a_file_that_is_not_a_workbook_is_one_clear_error(bank):
    biobank, _donor = bank
    report = check_file(data=b"PK\x03\x04not really a zip", file_format="xlsx", biobank=biobank)
    assert len(report.problems) == 1 and "XLSX" in report.problems[0].message


def test_a_sprec_code_entered_directly_is_checked_per_position(bank):
    biobank, donor = bank
    header = ("donor_pid", "collection", "sample_type", "quantity", "unit", "sprec_code")
    good = f"{donor.pid_display},serum-2024,SER,1,mL,SER-SST-A-B-N-A-E"
    bad = f"{donor.pid_display},serum-2024,SER,1,mL,SER-QQQ-A-B-N-A-E"
    data = ("\n".join([",".join(header), good, bad]) + "\n").encode()
    report = check_file(data=data, file_format="csv", biobank=biobank)
    ((problem),) = report.problems
    assert (problem.row, problem.column) == (3, "sprec_code") and "position 2" in problem.message.lower()


def test_the_demo_file_with_its_placeholders_filled_checks_clean(bank):
    from pathlib import Path

    import specimens

    biobank, _donor = bank
    text = (Path(specimens.__file__).parent / "data" / "demo-import.csv").read_text()
    assert "{" not in text.splitlines()[0]  # the header has no placeholder
    for number in range(1, 5):
        text = text.replace(f"{{PID{number}}}", make_donor(biobank).pid_display)
    text = text.replace("{COLLECTION}", "serum-2024")
    report = check_file(data=text.encode(), file_format="csv", biobank=biobank)
    assert report.problems == [] and report.rows == 12


def test_a_sheet_whose_table_starts_below_and_right_of_a1_is_read_with_its_real_row_numbers(bank):
    from openpyxl import Workbook

    biobank, donor = bank
    book = Workbook()
    sheet = book.active
    header = ["donor_pid", "collection", "sample_type", "quantity", "unit"]
    for column, name in enumerate(header, start=3):
        sheet.cell(row=3, column=column, value=name)
    for column, value in enumerate([donor.pid_display, "serum-2024", "SER", 1, "mL"], start=3):
        sheet.cell(row=4, column=column, value=value)
    for column, value in enumerate([donor.pid_display, "serum-2024", "SER", "lots", "mL"], start=3):
        sheet.cell(row=5, column=column, value=value)
    out = io.BytesIO()
    book.save(out)

    report = check_file(data=out.getvalue(), file_format="xlsx", biobank=biobank)

    assert [(p.row, p.column) for p in report.problems] == [(5, "quantity")]
