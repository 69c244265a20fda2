"""The specimen list and page per role: technicians act, data managers and auditors read, a foreign specimen is a
404, anonymous people sign in first; query counts are pinned."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from specimens.services import specimens_reserve
from tests.specimens.factories import make_specimen
from tests.specimens.views.conftest import url

pytestmark = pytest.mark.django_db


def test_anonymous_people_are_sent_to_sign_in(client, lab):
    for page in (url("specimen_list", lab), url("specimen_detail", lab, lab.primary.barcode)):
        response = client.get(page)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("who", ["technician", "data_manager", "auditor"])
def test_staff_who_see_specimens_get_the_list_and_the_page(client, lab, who):
    client.force_login(getattr(lab, who))
    listing = client.get(url("specimen_list", lab))
    page = client.get(url("specimen_detail", lab, lab.primary.barcode))
    assert listing.status_code == page.status_code == 200
    assert lab.primary.barcode in listing.content.decode()
    can_act = who == "technician"
    assert ("Make aliquots" in page.content.decode()) is can_act
    assert ("Print label" in page.content.decode()) is can_act


def test_a_specimen_of_another_biobank_is_404_even_under_the_own_code(client, lab):
    client.force_login(lab.technician)
    assert client.get(url("specimen_detail", lab, lab.foreign.barcode)).status_code == 404
    foreign_code = lab.foreign.biobank.code
    assert client.get(f"/specimens/{foreign_code}/s/{lab.foreign.barcode}/").status_code == 404
    assert client.post(url("specimen_action", lab, "thaw", lab.foreign.barcode)).status_code == 404


def test_the_page_shows_facts_decoded_sprec_lineage_and_timeline(client, lab):
    client.force_login(lab.data_manager)
    body = client.get(url("specimen_detail", lab, lab.primary.barcode)).content.decode()
    assert lab.primary.sprec_code in body
    assert "Plasma" in body  # position 1 decoded
    assert "Aliquoted" in body  # the timeline
    for aliquot in lab.aliquots:
        assert aliquot.barcode in body  # children in the tree
    sibling_page = client.get(url("specimen_detail", lab, lab.aliquots[0].barcode)).content.decode()
    assert lab.primary.barcode in sibling_page and lab.aliquots[1].barcode in sibling_page


def test_the_gates_answer_shows_on_a_reservation(client, lab):
    specimens_reserve(actor=lab.technician, specimens=[lab.aliquots[0]], purpose="GRU", reason="study 7")
    client.force_login(lab.auditor)
    body = client.get(url("specimen_detail", lab, lab.aliquots[0].barcode)).content.decode()
    assert "Consent gate:" in body and "GRU" in body


def _queries(client, page: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(page).status_code == 200
    return len(queries)


def test_the_list_runs_the_same_queries_for_3_or_40_specimens(client, lab):
    client.force_login(lab.technician)
    few = _queries(client, url("specimen_list", lab))
    for _ in range(37):
        make_specimen(collection=lab.collection, donor=lab.donor)
    assert _queries(client, url("specimen_list", lab)) == few
    assert few <= 12


def test_the_page_runs_the_same_queries_however_large_the_family(client, lab):
    client.force_login(lab.technician)
    few = _queries(client, url("specimen_detail", lab, lab.aliquots[0].barcode))
    from specimens.services import specimens_aliquot

    specimens_aliquot(actor=None, parent=lab.primary, count=20, quantity="0.1", unit="mL")
    assert _queries(client, url("specimen_detail", lab, lab.aliquots[0].barcode)) == few
    assert few <= 16


def test_the_list_filters_by_pid_status_and_lineage_and_pages_by_keyset(client, lab):
    client.force_login(lab.technician)
    body = client.get(url("specimen_list", lab), {"pid": lab.donor.pid_display, "lineage": "aliquot"}).content.decode()
    assert lab.aliquots[0].barcode in body and lab.primary.barcode not in body
    body = client.get(url("specimen_list", lab), {"status": "reserved"}).content.decode()
    assert "No specimen matches these filters." in body
    older = client.get(url("specimen_list", lab), {"before": lab.aliquots[0].pk}).content.decode()
    assert lab.primary.barcode in older and lab.aliquots[1].barcode not in older
    assert client.get(url("specimen_list", lab), {"before": "²"}).status_code == 400


def test_scanning_a_barcode_opens_its_page_and_a_pid_the_donors_specimens(client, lab):
    client.force_login(lab.auditor)
    response = client.get(url("scan", lab), {"code": lab.aliquots[1].barcode})
    assert response["Location"] == url("specimen_detail", lab, lab.aliquots[1].barcode)
    response = client.get(url("scan", lab), {"code": lab.donor.pid_display.lower()})
    assert response["Location"].startswith(url("specimen_list", lab) + "?pid=")
    response = client.get(url("scan", lab), {"code": lab.foreign.barcode})
    assert "barcode=" in response["Location"]


def test_the_navigation_links_and_the_dashboard_tile_count_specimens_by_status(client, lab):
    client.force_login(lab.technician)
    page = client.get("/").content.decode()
    assert url("specimen_list", lab) in page and url("specimen_register", lab) in page and url("worklists", lab) in page
    assert f'{url("specimen_list", lab)}?status=available">Available</a>: 3' in page  # primary and aliquots
    client.force_login(lab.auditor)
    page = client.get("/").content.decode()
    assert url("specimen_list", lab) in page and url("specimen_register", lab) not in page
