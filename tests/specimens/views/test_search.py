"""The header search: a scanned barcode or PID from any page, across the person's biobanks, never beyond them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from biobank.accounts.choices import Role
from tests.accounts.factories import make_member

pytestmark = pytest.mark.django_db

SCAN = "/specimens/scan/"


def test_the_header_offers_the_global_search(client, lab):
    client.force_login(lab.technician)
    page = client.get(reverse("web:dashboard")).content.decode()
    assert 'action="/search/"' in page and 'role="search"' in page


def test_people_who_see_no_specimens_get_the_global_search_too(client, lab):
    client.force_login(make_member(lab.biobank, Role.DAC_MEMBER, email="dac-a@example.org"))
    assert 'action="/search/"' in client.get(reverse("web:dashboard")).content.decode()


def test_a_scanned_barcode_opens_its_specimen(client, lab):
    client.force_login(lab.technician)
    response = client.get(SCAN, {"code": lab.aliquots[0].barcode})
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "specimens:specimen_detail", args=[lab.biobank.code, lab.aliquots[0].barcode]
    )


def test_a_pid_opens_the_donors_specimens_whichever_way_it_is_typed(client, lab):
    client.force_login(lab.technician)
    typed = lab.donor.pid_display.lower()
    response = client.get(SCAN, {"code": typed})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("specimens:specimen_list", args=[lab.biobank.code]) + "?pid=")


def test_another_biobanks_barcode_is_nothing_found_not_a_hint(client, lab):
    client.force_login(lab.technician)
    response = client.get(SCAN, {"code": lab.foreign.barcode})
    assert response.status_code == 200
    page = response.content.decode()
    assert "No specimen you may see has the barcode" in page
    assert reverse("specimens:specimen_detail", args=[lab.foreign.biobank.code, lab.foreign.barcode]) not in page


def test_an_empty_search_asks_for_a_code(client, lab):
    client.force_login(lab.technician)
    assert "Scan or type a barcode" in client.get(SCAN).content.decode()


def test_anonymous_people_are_sent_to_sign_in(client):
    response = client.get(SCAN, {"code": "X"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
