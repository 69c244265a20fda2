"""The storage API: units, box maps, free cells and placements, with problem+json errors and permissions."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from biobank.audit.models import AuditOutbox
from specimens.models import Specimen, SpecimenEvent, StorageUnit
from specimens.services import specimen_place
from tests.accounts.factories import make_token
from tests.specimens.factories import stock_specimen

pytestmark = pytest.mark.django_db
PROBLEM = "application/problem+json"


def _api(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def _bearer(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def test_a_technician_builds_a_hierarchy_and_lists_it(technician_a, biobank_a):
    client = _api(technician_a)

    site = client.post("/api/v1/storage-units/", {"biobank": "biobank-a", "kind": "site", "name": "C", "code": "C"})
    room = client.post(
        "/api/v1/storage-units/",
        {"biobank": "biobank-a", "parent": site.json()["id"], "kind": "room", "name": "R", "code": "R"},
        format="json",
    )
    listed = client.get("/api/v1/storage-units/", {"kind": "room"})

    assert site.status_code == room.status_code == 201 and "ETag" in site
    assert room.json()["path"] == f"/{site.json()['id']}/{room.json()['id']}/"
    assert [u["code"] for u in listed.json()["results"]] == ["R"]


def test_a_box_inside_a_site_is_a_400_naming_the_rule(technician_a, biobank_a):
    client = _api(technician_a)
    site = client.post("/api/v1/storage-units/", {"biobank": "biobank-a", "kind": "site", "name": "C", "code": "C"})

    response = client.post(
        "/api/v1/storage-units/",
        {"biobank": "biobank-a", "parent": site.json()["id"], "kind": "box", "name": "B", "code": "B", "rows": 9,
         "columns": 9},
        format="json",
    )  # fmt: skip

    assert response.status_code == 400 and response["Content-Type"] == PROBLEM
    assert "A Box cannot sit inside a Site" in response.json()["detail"]


def test_patch_with_a_stale_etag_is_412_and_shrinking_below_a_tube_is_409(technician_a, biobank_a, box_a):
    client = _api(technician_a)
    url = f"/api/v1/storage-units/{box_a.pk}/"
    etag = client.get(url)["ETag"]
    specimen_place(actor=None, specimen=stock_specimen(biobank_a), box=box_a, row=9, column=1)

    renamed = client.patch(url, {"name": "Renamed"}, format="json", HTTP_IF_MATCH=etag)
    stale = client.patch(url, {"name": "Again"}, format="json", HTTP_IF_MATCH=etag)
    shrink = client.patch(url, {"rows": 8}, format="json")

    assert renamed.status_code == 200 and renamed["ETag"] != etag
    assert stale.status_code == 412
    assert shrink.status_code == 409 and "cannot shrink" in shrink.json()["detail"]


def test_the_box_map_lists_every_cell_in_one_read(technician_a, biobank_a, box_a, django_assert_max_num_queries):
    specimen_place(actor=None, specimen=stock_specimen(biobank_a, barcode="M-1"), box=box_a, row=2, column=3)
    client = _api(technician_a)
    client.get(f"/api/v1/storage-units/{box_a.pk}/map/")  # warm the session

    response = client.get(f"/api/v1/storage-units/{box_a.pk}/map/")

    body = response.json()
    assert (body["rows"], body["columns"], body["occupied"], body["capacity"]) == (9, 9, 1, 81)
    assert len(body["cells"]) == 81 and body["cells"][0] == {"position": "A1", "row": 1, "column": 1, "specimen": None}
    occupied = [c for c in body["cells"] if c["specimen"]]
    assert occupied[0]["position"] == "B3" and occupied[0]["specimen"]["barcode"] == "M-1"


def test_the_map_of_a_unit_that_is_not_a_box_is_404(technician_a, box_a):
    assert _api(technician_a).get(f"/api/v1/storage-units/{box_a.parent_id}/map/").status_code == 404


def test_free_positions(technician_a, biobank_a, box_a):
    specimen_place(actor=None, specimen=stock_specimen(biobank_a), box=box_a, row=1, column=1)
    client = _api(technician_a)

    assert client.get(f"/api/v1/storage-units/{box_a.pk}/free-positions/", {"n": 2}).json() == {
        "box": box_a.pk,
        "positions": ["A2", "A3"],
    }
    assert client.get(f"/api/v1/storage-units/{box_a.pk}/free-positions/", {"n": "x"}).status_code == 400


def test_place_move_and_unplace_through_the_api_leave_events_and_audit(technician_a, biobank_a, box_a):
    stock_specimen(biobank_a, barcode="API-1")
    client = _api(technician_a)

    placed = client.post("/api/v1/placements/", {"barcode": "API-1", "box": box_a.pk, "position": "c5"}, format="json")
    moved = client.post("/api/v1/placements/move/", {"barcode": "API-1", "box": box_a.pk, "position": "D6"})
    taken = client.post("/api/v1/placements/unplace/", {"barcode": "API-1", "note": "thawed"})

    assert placed.status_code == 201
    assert placed.json() == {
        "specimen": placed.json()["specimen"], "barcode": "API-1", "box": box_a.pk, "box_code": "BOX-A",
        "position": "C5",
    }  # fmt: skip
    assert moved.status_code == 200 and moved.json()["position"] == "D6"
    assert taken.status_code == 200 and taken.json()["box"] is None
    assert list(SpecimenEvent.objects.order_by("id").values_list("type", flat=True)) == ["stored", "moved", "removed"]
    assert AuditOutbox.objects.filter(action__in=["specimen.place", "specimen.move", "specimen.unplace"]).count() == 3


def test_an_occupied_cell_is_a_409_problem_naming_the_cell(technician_a, biobank_a, box_a):
    specimen_place(actor=None, specimen=stock_specimen(biobank_a), box=box_a, row=1, column=1)
    stock_specimen(biobank_a, barcode="SECOND")

    response = _api(technician_a).post(
        "/api/v1/placements/", {"barcode": "SECOND", "box": box_a.pk, "position": "A1"}, format="json"
    )

    assert response.status_code == 409 and response["Content-Type"] == PROBLEM
    assert response.json()["detail"] == "Position A1 of box BOX-A is already occupied; choose a free cell."


def test_a_position_outside_the_box_is_a_400_naming_the_box_size(technician_a, biobank_a, box_a):
    stock_specimen(biobank_a, barcode="OUT")

    response = _api(technician_a).post(
        "/api/v1/placements/", {"barcode": "OUT", "box": box_a.pk, "position": "K11"}, format="json"
    )

    assert response.status_code == 400
    assert "Position K11 is outside box BOX-A, which has 9 rows (A-I) x 9 columns (1-9)" in response.json()["detail"]


def test_bulk_placement_is_all_or_nothing(technician_a, biobank_a, box_a):
    stock_specimen(biobank_a, barcode="B-1")
    stock_specimen(biobank_a, barcode="B-2")
    client = _api(technician_a)
    url = f"/api/v1/storage-units/{box_a.pk}/placements/"

    refused = client.post(url, {"placements": [{"barcode": "B-1"}, {"barcode": "NOPE"}]}, format="json")
    done = client.post(url, {"placements": [{"barcode": "B-1"}, {"barcode": "B-2", "position": "I9"}]}, format="json")

    assert refused.status_code == 400 and "NOPE: no specimen" in refused.json()["detail"]
    assert done.status_code == 201
    assert [(p["barcode"], p["position"]) for p in done.json()["placed"]] == [("B-1", "A1"), ("B-2", "I9")]


def test_a_viewer_may_read_but_not_place(viewer_a, biobank_a, box_a):
    stock_specimen(biobank_a, barcode="V-1")
    client = _api(viewer_a)

    assert client.get(f"/api/v1/storage-units/{box_a.pk}/map/").status_code == 200
    place = client.post("/api/v1/placements/", {"barcode": "V-1", "box": box_a.pk, "position": "A1"}, format="json")
    bulk = client.post(
        f"/api/v1/storage-units/{box_a.pk}/placements/", {"placements": [{"barcode": "V-1"}]}, format="json"
    )

    assert place.status_code == bulk.status_code == 403
    assert "you hold change_specimens in no biobank" in place.json()["detail"]
    assert not Specimen.objects.filter(box__isnull=False).exists()


def test_foreign_units_and_specimens_are_404(technician_a, biobank_a, biobank_b, box_a, box_b):
    stock_specimen(biobank_b, barcode="FOREIGN")
    stock_specimen(biobank_a, barcode="OWN")
    client = _api(technician_a)

    assert client.get(f"/api/v1/storage-units/{box_b.pk}/").status_code == 404
    assert client.get(f"/api/v1/storage-units/{box_b.pk}/map/").status_code == 404
    own_box = {"barcode": "FOREIGN", "box": box_a.pk, "position": "A1"}
    foreign_box = {"barcode": "OWN", "box": box_b.pk, "position": "A1"}
    assert client.post("/api/v1/placements/", own_box, format="json").status_code == 404
    assert client.post("/api/v1/placements/", foreign_box, format="json").status_code == 404
    assert StorageUnit.objects.get(pk=box_b.pk).specimens.count() == 0


def test_a_partner_token_with_change_specimens_places_and_a_read_only_one_cannot(biobank_a, box_a):
    stock_specimen(biobank_a, barcode="TOK-1")
    body = {"barcode": "TOK-1", "box": box_a.pk, "position": "A1"}

    read_only = _bearer(make_token(biobank_a, "view_biobank", "view_specimens")).post(
        "/api/v1/placements/", body, format="json"
    )
    full = _bearer(make_token(biobank_a, "view_biobank", "view_specimens", "change_specimens")).post(
        "/api/v1/placements/", body, format="json"
    )

    assert read_only.status_code == 403 and full.status_code == 201
    assert SpecimenEvent.objects.get().actor_label.startswith("token:")
