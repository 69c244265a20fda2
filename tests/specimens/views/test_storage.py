"""The storage pages: tree, unit, box map (readable without colour), place here with HTMX, bulk scan, free cells."""

from __future__ import annotations

import pytest
from django.urls import reverse

from biobank.audit.models import AuditOutbox
from specimens.models import Specimen, StorageUnit
from specimens.services import specimen_place
from specimens.views import storage as storage_views
from tests.specimens.factories import make_storage_box, stock_specimen

pytestmark = pytest.mark.django_db


def _box_url(box) -> str:
    return reverse("specimens:storage_unit", args=[box.biobank.code, box.pk])


def _cell_url(box, label) -> str:
    return reverse("specimens:box_cell", args=[box.biobank.code, box.pk, label])


def test_the_tree_lists_units_with_their_fill_and_the_navigation_links_to_it(client, technician_a, box_a, biobank_a):
    specimen_place(actor=None, specimen=stock_specimen(biobank_a), box=box_a, row=1, column=1)
    client.force_login(technician_a)

    response = client.get(reverse("specimens:storage", args=["biobank-a"]))

    page = response.content.decode()
    assert response.status_code == 200
    assert 'href="/specimens/biobank-a/storage/"' in page  # the "Storage" link of the biobank's navigation
    assert "BOX-A" in page and "1 of 81 cells (1 %)" in page
    assert '<meter class="fill__bar" min="0" max="81" value="1"' in page
    assert "New site" in page and "Add inside" in page


def test_someone_who_only_sees_storage_gets_no_create_or_place_controls(client, viewer_a, box_a):
    client.force_login(viewer_a)

    tree = client.get(reverse("specimens:storage", args=["biobank-a"])).content.decode()
    box = client.get(_box_url(box_a)).content.decode()

    assert "New site" not in tree and "Add inside" not in tree
    assert "Place here" not in box and "Scan tubes" not in box
    assert client.get(_cell_url(box_a, "A1")).status_code == 403
    assert client.post(_cell_url(box_a, "A1"), {"barcode": "X"}).status_code == 403


def test_a_box_of_another_biobank_is_404_even_under_ones_own_code(client, technician_a, box_b):
    client.force_login(technician_a)

    assert client.get(f"/specimens/biobank-a/storage/{box_b.pk}/").status_code == 404
    assert client.get(f"/specimens/biobank-b/storage/{box_b.pk}/").status_code == 404
    assert client.post(f"/specimens/biobank-a/storage/{box_b.pk}/cells/A1/", {"barcode": "X"}).status_code == 404


def test_the_box_map_is_a_table_with_row_and_column_headers_and_letters_in_each_cell(
    client, technician_a, biobank_a, box_a
):
    specimen_place(
        actor=None, specimen=stock_specimen(biobank_a, barcode="S-RES", status="reserved"), box=box_a, row=2, column=3
    )
    client.force_login(technician_a)

    page = client.get(_box_url(box_a)).content.decode()

    assert '<caption id="box-map-caption">Box BOX-A: 9 rows \u00d7 9 columns</caption>' in page
    assert '<th scope="col">9</th>' in page and '<th scope="row">I</th>' in page
    assert 'id="cell-B3" class="cell cell--reserved cell--type-ser"' in page
    assert '<span class="cell__letter" aria-hidden="true">R</span>' in page
    assert "B3: Reserved" in page and "S-RES" in page
    assert page.count("Place here") == 80
    assert "How to read the map" in page


def test_the_box_page_costs_the_same_queries_for_a_small_and_a_full_box(
    client, technician_a, biobank_a, django_assert_num_queries
):
    small, full = make_storage_box(biobank_a, rows=9, columns=9), make_storage_box(biobank_a, rows=12, columns=8)
    for n in range(96):
        specimen_place(actor=None, specimen=stock_specimen(biobank_a), box=full, row=n // 8 + 1, column=n % 8 + 1)
    client.force_login(technician_a)
    client.get(_box_url(small))  # warm the session

    counts = []
    for box in (small, full):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(_box_url(box)).status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1]


def test_occupied_cells_link_to_the_specimen_page_once_it_exists(client, technician_a, biobank_a, box_a, monkeypatch):
    specimen_place(actor=None, specimen=stock_specimen(biobank_a, barcode="S/1:x"), box=box_a, row=1, column=1)
    client.force_login(technician_a)
    assert "/specimens/biobank-a/specimens/" not in client.get(_box_url(box_a)).content.decode()  # no page yet
    monkeypatch.setattr(storage_views, "specimen_link_parts", lambda code: (f"/specimens/{code}/specimens/", "/"))

    page = client.get(_box_url(box_a)).content.decode()

    assert 'href="/specimens/biobank-a/specimens/S%2F1%3Ax/"' in page


def test_place_here_with_htmx_swaps_the_cell_and_records_the_event(client, technician_a, biobank_a, box_a):
    specimen = stock_specimen(biobank_a, barcode="S-HX")
    client.force_login(technician_a)
    headers = {"HX-Request": "true"}

    form = client.get(_cell_url(box_a, "C4"), headers=headers)
    placed = client.post(_cell_url(box_a, "C4"), {"barcode": " S-HX "}, headers=headers)

    assert form.status_code == 200 and form.content.decode().startswith('<td id="cell-C4" class="cell cell--editing">')
    assert 'name="barcode"' in form.content.decode() and "Barcode for C4" in form.content.decode()
    assert placed.status_code == 200
    assert placed.content.decode().startswith('<td id="cell-C4" class="cell cell--available cell--type-ser">')
    assert "S-HX was placed at BOX-A C4." in placed["HX-Trigger"] and "storage:placed" in placed["HX-Trigger"]
    specimen.refresh_from_db()
    assert specimen.position == "C4"
    assert AuditOutbox.objects.filter(action="specimen.place", object_id=str(specimen.pk)).exists()


def test_place_here_with_an_unknown_or_foreign_barcode_shows_the_error_in_the_cell(
    client, technician_a, biobank_a, biobank_b, box_a
):
    stock_specimen(biobank_b, barcode="S-B")
    client.force_login(technician_a)
    headers = {"HX-Request": "true"}

    for barcode in ("NOPE", "S-B"):
        response = client.post(_cell_url(box_a, "A1"), {"barcode": barcode}, headers=headers)
        assert response.status_code == 200
        assert f"No specimen with the barcode {barcode} in Biobank A." in response.content.decode()
    assert not Specimen.objects.filter(box__isnull=False).exists()


def test_place_here_into_a_cell_taken_meanwhile_says_so(client, technician_a, biobank_a, box_a):
    stock_specimen(biobank_a, barcode="LATE")
    client.force_login(technician_a)
    form = client.get(_cell_url(box_a, "A1"), headers={"HX-Request": "true"})
    assert form.status_code == 200
    specimen_place(actor=None, specimen=stock_specimen(biobank_a, barcode="FIRST"), box=box_a, row=1, column=1)

    # the cell is occupied now: the answer is the occupied cell, the late tube stays where it was
    response = client.post(_cell_url(box_a, "A1"), {"barcode": "LATE"}, headers={"HX-Request": "true"})

    assert "FIRST" in response.content.decode()
    assert Specimen.objects.get(barcode="LATE").box_id is None


def test_place_here_without_htmx_redirects_back_to_the_map(client, technician_a, biobank_a, box_a):
    stock_specimen(biobank_a, barcode="S-PLAIN")
    client.force_login(technician_a)

    assert client.get(_cell_url(box_a, "B2")).status_code == 200
    response = client.post(_cell_url(box_a, "B2"), {"barcode": "S-PLAIN"})

    assert (response.status_code, response["Location"]) == (302, _box_url(box_a))
    assert Specimen.objects.get(barcode="S-PLAIN").position == "B2"
    assert client.get(_cell_url(box_a, "Z99")).status_code == 404


def test_bulk_scan_places_every_tube_or_none(client, technician_a, biobank_a, box_a):
    for n in range(3):
        stock_specimen(biobank_a, barcode=f"SCAN-{n}")
    client.force_login(technician_a)
    url = reverse("specimens:box_bulk", args=["biobank-a", box_a.pk])

    refused = client.post(url, {"lines": "SCAN-0\nSCAN-1 A1\nMISSING\n"})
    assert refused.status_code == 200 and "MISSING: no specimen with this barcode" in refused.content.decode()
    assert not Specimen.objects.filter(box__isnull=False).exists()

    done = client.post(url, {"lines": "SCAN-0\r\nSCAN-1\tC1\r\n\r\nSCAN-2\r\n"})

    assert (done.status_code, done["Location"]) == (302, _box_url(box_a))
    assert dict(Specimen.objects.values_list("barcode", "box_row")) == {"SCAN-0": 1, "SCAN-1": 3, "SCAN-2": 1}
    assert AuditOutbox.objects.filter(action="specimen.place").count() == 3


def test_free_positions_page_and_htmx_fragment(client, viewer_a, biobank_a, box_a):
    specimen_place(actor=None, specimen=stock_specimen(biobank_a), box=box_a, row=1, column=1)
    client.force_login(viewer_a)
    url = reverse("specimens:box_free", args=["biobank-a", box_a.pk])

    page = client.get(url, {"n": 3})
    fragment = client.get(url, {"n": 2}, headers={"HX-Request": "true"})

    assert page.status_code == 200 and "<code>A2</code>" in page.content.decode()
    assert "<code>A4</code>" in page.content.decode()
    assert fragment.content.decode().count("<code>") == 2


def test_creating_a_unit_offers_only_the_kinds_allowed_inside_the_parent(client, technician_a, biobank_a, box_a):
    client.force_login(technician_a)
    rack = box_a.parent
    url = reverse("specimens:storage_unit_create", args=["biobank-a"])

    form = client.get(url, {"parent": rack.pk}).content.decode()
    response = client.post(
        url, {"parent": rack.pk, "kind": "box", "name": "Plate", "code": "PL-1", "rows": 8, "columns": 12}
    )

    assert 'value="box"' in form and 'value="freezer"' not in form
    plate = StorageUnit.objects.get(code="PL-1")
    assert response["Location"] == _box_url(plate) and plate.parent == rack and plate.capacity == 96
    assert client.get(url, {"parent": plate.pk}).status_code == 404  # nothing goes inside a box


def test_creating_a_site_and_editing_a_unit(client, technician_a):
    client.force_login(technician_a)

    created = client.post(
        reverse("specimens:storage_unit_create", args=["biobank-a"]), {"kind": "site", "name": "Campus", "code": "C"}
    )
    site = StorageUnit.objects.get(code="C")
    edited = client.post(
        reverse("specimens:storage_unit_edit", args=["biobank-a", site.pk]),
        {"name": "Main campus", "code": "C", "temperature_c": ""},
    )
    duplicate = client.post(
        reverse("specimens:storage_unit_create", args=["biobank-a"]), {"kind": "site", "name": "Again", "code": "C"}
    )

    assert created.status_code == edited.status_code == 302
    site.refresh_from_db()
    assert site.name == "Main campus"
    assert "already has a storage unit with the code" in duplicate.content.decode()


def test_shrinking_a_box_below_a_tube_is_refused_on_the_edit_page(client, technician_a, biobank_a, box_a):
    specimen_place(actor=None, specimen=stock_specimen(biobank_a), box=box_a, row=9, column=9)
    client.force_login(technician_a)

    response = client.post(
        reverse("specimens:storage_unit_edit", args=["biobank-a", box_a.pk]),
        {"name": box_a.name, "code": box_a.code, "rows": 5, "columns": 9},
    )

    assert response.status_code == 200 and "cannot shrink" in response.content.decode()


def test_the_storage_pages_have_no_inline_script_style_or_handler(client, technician_a, biobank_a, box_a):
    from tests.web.pages import parse

    specimen_place(actor=None, specimen=stock_specimen(biobank_a), box=box_a, row=1, column=1)
    client.force_login(technician_a)
    urls = [
        reverse("specimens:storage", args=["biobank-a"]),
        _box_url(box_a),
        _box_url(box_a.parent),
        _cell_url(box_a, "B1"),
        reverse("specimens:box_bulk", args=["biobank-a", box_a.pk]),
        reverse("specimens:box_free", args=["biobank-a", box_a.pk]),
        reverse("specimens:storage_unit_edit", args=["biobank-a", box_a.pk]),
        reverse("specimens:storage_unit_create", args=["biobank-a"]),
    ]

    for url in urls:
        response = client.get(url)
        markup = parse(response.content.decode())
        assert response.status_code == 200, url
        assert not (markup.inline_scripts or markup.style_elements or markup.style_attributes or markup.handlers), url


def test_scanning_a_tube_from_another_box_into_a_cell_moves_it(client, technician_a, biobank_a, box_a):
    other = make_storage_box(biobank_a, rows=2, columns=2, code="OLD")
    specimen = stock_specimen(biobank_a, barcode="MOVE-ME")
    specimen_place(actor=None, specimen=specimen, box=other, row=2, column=2)
    client.force_login(technician_a)

    response = client.post(_cell_url(box_a, "E5"), {"barcode": "MOVE-ME"}, headers={"HX-Request": "true"})

    assert "MOVE-ME was moved from OLD B2 to BOX-A E5." in response["HX-Trigger"]
    assert response.content.decode().startswith('<td id="cell-E5" class="cell cell--available')
    specimen.refresh_from_db()
    assert (specimen.box_id, specimen.position) == (box_a.pk, "E5")
    assert AuditOutbox.objects.filter(action="specimen.move", object_id=str(specimen.pk)).exists()


def test_moving_a_tube_within_the_box_reloads_the_map(client, technician_a, biobank_a, box_a):
    specimen = stock_specimen(biobank_a, barcode="SHIFT")
    specimen_place(actor=None, specimen=specimen, box=box_a, row=1, column=1)
    client.force_login(technician_a)

    response = client.post(_cell_url(box_a, "A2"), {"barcode": "SHIFT"}, headers={"HX-Request": "true"})

    assert (response.status_code, response["HX-Refresh"]) == (204, "true")
    page = client.get(_box_url(box_a)).content.decode()
    assert "SHIFT was moved from BOX-A A1 to BOX-A A2." in page
