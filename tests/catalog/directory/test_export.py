"""The Directory export: exactly the staging columns, valid IDs and codes, published records only, k-anonymous facts."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from catalog import vocabularies as v
from catalog.directory import export
from catalog.directory.staging import SHEETS, VOCABULARY_OF_REF, staging
from tests.accounts.factories import make_biobank
from tests.catalog.factories import make_described_catalogue

pytestmark = pytest.mark.django_db
REFERENCE = Path("/work/shared/reference/directory-staging.json")


@pytest.fixture
def catalogue():
    biobank = make_biobank("uh-berlin", "University Hospital Berlin")
    made = make_described_catalogue(biobank)
    make_described_catalogue(make_biobank("draft-bank", "Draft"), node="AT", published=False)
    return made


def _sheets(data: bytes) -> dict[str, list[list]]:
    workbook = load_workbook(io.BytesIO(data))
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in workbook.worksheets}


def test_the_shipped_staging_definition_is_a_faithful_copy_of_the_reference():
    if not REFERENCE.exists():
        pytest.skip("the reference extract is not on this machine")
    reference = json.loads(REFERENCE.read_text())["sheets"]
    for name, sheet in staging().items():
        assert sheet.column_names == [c["name"] for c in reference[name]["columns"]], name
        assert [c.required for c in sheet.columns] == [c["required"] for c in reference[name]["columns"]]
        assert [c.ref or None for c in sheet.columns] == [c["ref"] for c in reference[name]["columns"]]
        assert sheet.id_message == reference[name]["id_message"]


def test_the_workbook_has_exactly_the_staging_columns_of_each_sheet(catalogue):
    sheets = _sheets(export.export_bytes("xlsx"))

    assert list(sheets) == list(SHEETS)
    for name in SHEETS:
        assert sheets[name][0] == staging()[name].column_names, name
        assert "national_node" not in sheets[name][0] and "pid" not in sheets[name][0]


def test_only_published_records_with_ids_matching_the_patterns_and_codes_of_the_vocabularies(catalogue):
    rows = export.directory_rows()

    assert [r["id"] for r in rows["biobanks"]] == ["bbmri-eric:ID:DE_uh-berlin"]
    assert {r["id"] for r in rows["collections"]} == {
        "bbmri-eric:ID:DE_uh-berlin:collection:crc", "bbmri-eric:ID:DE_uh-berlin:collection:crc-rectum"
    }  # fmt: skip
    for name in SHEETS:
        pattern = staging()[name].id_regex
        for row in rows[name]:
            assert pattern.match(str(row["id"])), (name, row["id"])
            for column in staging()[name].columns:
                value = row[column.name]
                if value is None or column.ref not in VOCABULARY_OF_REF:
                    continue
                codes = str(value).split(",") if column.multi else [str(value)]
                allowed = set(v.terms(VOCABULARY_OF_REF[column.ref])) | {"*"}
                assert set(codes) <= allowed, (name, column.name, codes)
    crc = next(r for r in rows["collections"] if r["id"].endswith(":crc"))
    assert crc["diagnosis_available"] == "urn:miriam:icd:C18,urn:miriam:icd:C18.0,ORPHA:1234"
    assert crc["data_use"] == "DUO_0000042"
    assert crc["withdrawn"] == "false" and crc["collaboration_commercial"] == "false"
    assert (crc["size"], crc["number_of_donors"], crc["order_of_magnitude"]) == (120, 40, "2")
    sub = next(r for r in rows["collections"] if r["id"].endswith(":crc-rectum"))
    assert sub["parent_collection"] == crc["id"]
    assert rows["biobanks"][0]["network"] == "bbmri-eric:networkID:EU_uh-berlin"
    assert [r["id"] for r in rows["persons"]] == ["bbmri-eric:contactID:DE_uh-berlin"]


def test_facts_are_the_k_anonymous_rows_with_exact_counts_and_deterministic_ids(catalogue):
    rows = export.directory_rows()["facts"]

    assert len(rows) == 6  # the 3-donor row is left out
    assert all(r["number_of_donors"] >= 10 for r in rows)
    assert {r["number_of_samples"] for r in rows} == {120, 70, 50, 80, 60}
    assert all(re.match(r"^\d{4}-\d{2}-\d{2}$", r["last_update"]) for r in rows)
    assert {r["disease"] for r in rows} == {"*", "urn:miriam:icd:C18.0", None}
    assert [r["id"] for r in rows] == [r["id"] for r in export.directory_rows()["facts"]]


def test_csv_zip_and_miabis_json_carry_the_same_records(catalogue):
    archive = zipfile.ZipFile(io.BytesIO(export.export_bytes("zip")))
    assert sorted(archive.namelist()) == sorted(f"{s}.csv" for s in SHEETS)
    assert archive.read("biobanks.csv").decode().splitlines()[0] == ",".join(staging()["biobanks"].column_names)

    document = json.loads(export.export_bytes("json"))
    collection = next(c for c in document["collections"] if c["ID"].endswith(":crc"))
    assert {"code": "TISSUE_FROZEN", "miabis3": v.crosswalks()["directory_material_to_miabis"]["TISSUE_FROZEN"][
        "miabis3"]} in collection["Sample type"]  # fmt: skip
    assert collection["Sex"][0]["miabis3"] in ("Female", "Male")
    assert [b["ID"] for b in document["biobanks"]] == ["bbmri-eric:ID:DE_uh-berlin"]
