"""The shipments page: distributed specimens of withdrawn donors, a decision per ticked row; per role."""

from __future__ import annotations

import pytest

from specimens.models import SpecimenEvent
from specimens.services import specimens_ship
from tests.specimens.views.conftest import url
from tests.specimens.withdrawal_helpers import withdraw

pytestmark = pytest.mark.django_db


@pytest.fixture
def shipped(lab):
    specimens_ship(actor=None, specimens=lab.aliquots, purpose="GRU", recipient="Lab X")
    withdraw(lab.donor, "no_further_use")
    return lab


def test_the_technician_sees_the_shipped_specimens_and_records_a_decision(client, shipped):
    lab = shipped
    client.force_login(lab.technician)
    page = client.get(url("shipment_decisions", lab)).content.decode()
    assert all(a.barcode in page for a in lab.aliquots)
    assert lab.primary.barcode not in page.split("<tbody>")[1]  # blocked here, not shipped

    response = client.post(
        url("shipment_decisions", lab),
        {"specimens": [lab.aliquots[0].pk], "decision": "destroy", "note": "Lab X confirmed by e-mail"},
        follow=True,
    )

    body = response.content.decode()
    assert "Decision recorded for 1 specimen" in body
    assert lab.aliquots[0].barcode not in body.split("<tbody>")[1] and lab.aliquots[1].barcode in body
    assert SpecimenEvent.objects.get(specimen=lab.aliquots[0], type="withdrawal_decision").details == {
        "decision": "destroy"
    }


def test_errors_are_shown_at_their_fields_and_the_ticks_kept(client, shipped):
    lab = shipped
    client.force_login(lab.technician)
    response = client.post(url("shipment_decisions", lab), {"specimens": [lab.aliquots[1].pk], "decision": "keep"})
    assert response.status_code == 400
    body = response.content.decode()
    assert (
        "This field is required." in body
        and f'value="{lab.aliquots[1].pk}" id="pick-{lab.aliquots[1].pk}" checked' in body
    )
    response = client.post(url("shipment_decisions", lab), {"decision": "keep", "note": "n"})
    assert "Tick at least one specimen." in response.content.decode()
    assert not SpecimenEvent.objects.filter(type="withdrawal_decision").exists()


def test_a_specimen_of_another_biobank_cannot_be_ticked(client, shipped):
    lab = shipped
    client.force_login(lab.technician)
    response = client.post(
        url("shipment_decisions", lab), {"specimens": [lab.foreign.pk], "decision": "keep", "note": "n"}
    )
    assert response.status_code == 400
    assert not SpecimenEvent.objects.filter(type="withdrawal_decision").exists()


def test_an_auditor_reads_but_may_not_decide(client, shipped):
    lab = shipped
    client.force_login(lab.auditor)
    page = client.get(url("shipment_decisions", lab))
    assert page.status_code == 200 and lab.aliquots[0].barcode in page.content.decode()
    assert "Record the decision" not in page.content.decode()
    response = client.post(
        url("shipment_decisions", lab), {"specimens": [lab.aliquots[0].pk], "decision": "keep", "note": "n"}
    )
    assert response.status_code == 403


def test_a_foreign_biobank_is_a_404(client, shipped, biobank_b):
    client.force_login(shipped.technician)
    assert client.get(f"/specimens/{biobank_b.code}/withdrawals/").status_code == 404


def test_the_worklists_index_links_the_page_with_its_count(client, shipped):
    client.force_login(shipped.technician)
    index = client.get(url("worklists", shipped)).content.decode()
    assert url("shipment_decisions", shipped) in index and "Shipped, donor withdrew" in index


def test_the_decision_shows_in_words_on_the_specimens_timeline(client, shipped):
    lab = shipped
    client.force_login(lab.technician)
    data = {"specimens": [lab.aliquots[0].pk], "decision": "keep", "note": "Used in March"}
    client.post(url("shipment_decisions", lab), data)
    page = client.get(url("specimen_detail", lab, lab.aliquots[0].barcode)).content.decode()
    assert "Decision after the donor&#x27;s withdrawal" in page and "Keep: used before the withdrawal, lawfully" in page
