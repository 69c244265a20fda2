"""GET /api/v1/specimens/ and /api/v1/specimens/<barcode>/: filters, cursor paging, query count, who sees what."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from biobank.accounts.choices import Role
from specimens.models import Specimen
from specimens.services import specimens_aliquot
from tests.accounts.factories import make_biobank, make_member, make_token
from tests.specimens.factories import make_box, make_collection, make_specimen

from .conftest import url

pytestmark = pytest.mark.django_db

LIST = "/api/v1/specimens/"


def _barcodes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["barcode"] for row in response.json()["results"]]


def _place(specimen: Specimen, box, row: int = 1, column: int = 1) -> None:
    Specimen.objects.filter(pk=specimen.pk).update(box=box, box_row=row, box_column=column)


def test_a_row_carries_what_a_partner_system_matches_on(tech, specimen, collection, donor):
    row = tech.get(LIST).json()["results"][0]

    assert row["barcode"] == specimen.barcode and row["donor"] == donor.pid_display
    assert row["collection"] == "crc-2024" and row["sample_type"] == "SER" and row["material_type"] == "Serum"
    assert row["quantity"] == "2.0000" and row["unit"] == "mL" and row["status"] == "available"
    assert row["lineage"] == "primary" and row["parent"] is None and row["position"] is None
    assert row["url"].endswith(url(specimen))
    assert "facts" not in row  # the list stays lean


def test_filters_by_barcode_donor_in_either_form_collection_type_status_and_lineage(
    tech, biobank_a, specimen, collection, donor
):
    other = make_specimen(collection=make_collection(biobank_a, "lung"), sample_type="PL1", quantity="1")
    aliquot = specimens_aliquot(actor=None, parent=specimen, count=1, quantity="0.5", unit="mL")[0]

    assert _barcodes(tech.get(LIST, {"barcode": specimen.barcode})) == [specimen.barcode]
    assert set(_barcodes(tech.get(LIST, {"donor": donor.pid_display}))) == {specimen.barcode, aliquot.barcode}
    assert set(_barcodes(tech.get(LIST, {"donor": donor.pid.lower()}))) == {specimen.barcode, aliquot.barcode}
    assert set(_barcodes(tech.get(LIST, {"collection": "crc-2024"}))) == {specimen.barcode, aliquot.barcode}
    assert _barcodes(tech.get(LIST, {"sample_type": "PL1"})) == [other.barcode]
    assert _barcodes(tech.get(LIST, {"lineage": "aliquot"})) == [aliquot.barcode]
    assert set(_barcodes(tech.get(LIST, {"material_type": "Serum"}))) == {specimen.barcode, aliquot.barcode}
    assert _barcodes(tech.get(LIST, {"status": "consumed"})) == []


def test_a_location_is_a_box_or_anything_under_a_freezer(tech, biobank_a, specimen, collection):
    box = make_box(biobank_a)
    other_box = make_box(biobank_a)
    elsewhere = make_specimen(collection=collection)
    _place(specimen, box)
    _place(elsewhere, other_box)

    assert _barcodes(tech.get(LIST, {"location": box.pk})) == [specimen.barcode]
    assert _barcodes(tech.get(LIST, {"location": box.parent_id})) == [specimen.barcode]
    assert _barcodes(tech.get(LIST, {"location": 999999})) == []
    row = tech.get(LIST, {"location": box.pk}).json()["results"][0]
    assert row["position"] == {"box": box.code, "box_id": box.pk, "row": 1, "column": 1, "label": "A1"}


def test_date_ranges_are_inclusive_after_and_exclusive_before(tech, collection):
    now = timezone.now().replace(microsecond=0)
    early = make_specimen(collection=collection, facts={"collected_at": now - timedelta(days=3)})
    late = make_specimen(collection=collection, facts={"collected_at": now - timedelta(days=1)})
    cut = (now - timedelta(days=2)).isoformat()

    assert _barcodes(tech.get(LIST, {"collected_after": cut})) == [late.barcode]
    assert _barcodes(tech.get(LIST, {"collected_before": cut})) == [early.barcode]
    assert set(_barcodes(tech.get(LIST, {"created_after": cut}))) == {early.barcode, late.barcode}
    assert _barcodes(tech.get(LIST, {"created_before": cut})) == []


@pytest.mark.parametrize(
    ("parameter", "value"),
    [
        ("donor", "ABCDE-FGHJK-X"),
        ("location", "1.5"),
        ("location", "²"),
        ("status", "lost"),
        ("collected_after", "yesterday"),
        ("cursor", "garbage"),
        ("page_size", "many"),
    ],
)
def test_a_malformed_filter_is_a_400_problem_naming_it_never_a_500(tech, specimen, parameter, value):
    response = tech.get(LIST, {parameter: value})

    if parameter == "page_size":  # DRF falls back to the default page size
        assert response.status_code == 200
        return
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["pointer"] == f"/{parameter}"


def test_the_cursor_pages_through_every_specimen_once(tech, collection):
    made = [make_specimen(collection=collection) for _ in range(5)]

    seen, page = [], tech.get(LIST, {"page_size": 2}).json()
    seen += [row["barcode"] for row in page["results"]]
    while page["next"]:
        query = parse_qs(urlsplit(page["next"]).query)
        page = tech.get(LIST, {"page_size": 2, "cursor": query["cursor"][0]}).json()
        seen += [row["barcode"] for row in page["results"]]

    assert seen == [s.barcode for s in reversed(made)]


@pytest.mark.parametrize("rows", [1, 30])
def test_the_list_costs_the_same_queries_for_one_and_thirty_specimens(rows, django_assert_num_queries):
    biobank = make_biobank()
    collection = make_collection(biobank)
    box = make_box(biobank)
    parent = make_specimen(collection=collection, quantity="100")
    children = specimens_aliquot(actor=None, parent=parent, count=rows, quantity="1", unit="mL")
    for number, child in enumerate(children, start=1):
        _place(child, box, row=(number - 1) // 9 + 1, column=(number - 1) % 9 + 1)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_token(biobank, 'view_specimens')}")
    client.get(LIST, {"lineage": "aliquot"})

    with django_assert_num_queries(3):  # the token, the page's keys (an index walk), then its rows with their joins
        response = client.get(LIST, {"lineage": "aliquot"})

    assert len(response.json()["results"]) == rows
    assert {row["parent"] for row in response.json()["results"]} == {parent.barcode}


def test_a_foreign_specimen_is_neither_listed_nor_readable(specimen, biobank_b, login):
    foreign = login(make_member(biobank_b, Role.TECHNICIAN, email="tech-b@example.org"))

    assert _barcodes(foreign.get(LIST)) == []
    assert foreign.get(url(specimen)).status_code == 404
    assert foreign.get(url(specimen, "events")).status_code == 404


def test_a_token_without_the_specimen_scope_gets_404(biobank_a, specimen):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_token(biobank_a, 'view_biobank', 'view_catalog')}")

    assert _barcodes(client.get(LIST)) == []
    assert client.get(url(specimen)).status_code == 404
    assert client.post(url(specimen, "consume"), {"reason": "x"}, format="json").status_code == 404


def test_anonymous_callers_get_401(specimen):
    assert APIClient().get(LIST).status_code == 401
    assert APIClient().get(url(specimen)).status_code == 401


def test_the_detail_decodes_the_sprec_code_and_sums_up_the_lineage(tech, specimen):
    aliquots = specimens_aliquot(actor=None, parent=specimen, count=2, quantity="0.5", unit="mL")

    parent = tech.get(url(specimen)).json()
    child = tech.get(url(aliquots[0])).json()

    assert parent["lineage_summary"] == {"parents": [], "children": 2, "pools": 0}
    assert parent["sprec"]["code"] == specimen.sprec_code and len(parent["sprec"]["elements"]) == 7
    assert parent["sprec"]["elements"][0]["letter"] == "SER"
    assert child["parent"] == specimen.barcode
    assert child["lineage_summary"]["parents"][0]["barcode"] == specimen.barcode
    assert child["lineage_summary"]["parents"][0]["used"] == "0.5 mL"
    assert parent["quantity"] == "1.0000" and parent["initial_quantity"] == "2.0000"


def test_the_detail_answers_304_while_the_callers_copy_is_current(tech, specimen):
    etag = tech.get(url(specimen))["ETag"]

    assert tech.get(url(specimen), HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_a_barcode_with_a_slash_is_reached_as_it_is(tech, collection):
    specimen = make_specimen(collection=collection, barcode="RUN/2026:17")

    assert tech.get(url(specimen)).json()["barcode"] == "RUN/2026:17"
    assert tech.get(url(specimen, "events")).status_code == 200
