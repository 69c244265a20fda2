"""The builder's selection by the request's structured criteria and the attribute order."""

from __future__ import annotations

import pytest

from access_requests.release_builder import ordered_attributes, specimens_for
from tests.access_requests.fulfil_factories import media_root, setup_world  # noqa: F401

pytestmark = pytest.mark.django_db


def test_attributes_follow_the_release_order_and_drop_unknown_names():
    assert ordered_attributes(["collection", "sex", "pid", "barcode"]) == ["sex", "collection"]


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        ({}, 2),
        ({"sexes": ["male"]}, 0),
        ({"sexes": ["female"], "material_types": ["Plasma"]}, 2),
        ({"age_min": 90}, 0),
        ({"age_min": 18, "age_max": 80}, 2),
        ({"diagnoses": ["E11"]}, 0),
    ],
)
def test_the_criteria_select_the_specimens(biobank_a, criteria, expected):
    resource, _donors, _specimens = setup_world(biobank_a, donors=2)
    resource.request.criteria = criteria
    assert specimens_for(resource, resource.request).count() == expected


def test_the_streamed_xlsx_reads_back_with_openpyxl(tmp_path):
    from openpyxl import load_workbook

    from access_requests.release_builder import XlsxRows

    path = tmp_path / "r.xlsx"
    sheet = XlsxRows(path)
    sheet.append(["donor_pseudonym", "age", "note"])
    sheet.append(["ABC<&>", 42, None])
    sheet.append(["Ü-ß", 1.5, "x"])
    sheet.close()
    rows = list(load_workbook(path, read_only=True).active.iter_rows(values_only=True))
    assert rows == [("donor_pseudonym", "age", "note"), ("ABC<&>", 42, None), ("Ü-ß", 1.5, "x")]
