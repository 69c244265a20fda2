"""Worklists driven by a scanner: reception recorded on "received today"; elsewhere a scan opens the specimen."""

from __future__ import annotations

import pytest

from biobank.audit.models import AuditOutbox
from specimens.models import SpecimenEvent
from tests.specimens.factories import make_specimen
from tests.specimens.views.conftest import url

pytestmark = pytest.mark.django_db


def test_scanning_on_received_today_records_the_reception(client, lab):
    arrived = make_specimen(collection=lab.collection, donor=lab.donor)
    client.force_login(lab.technician)

    response = client.post(url("worklist", lab, "received_today"), {"code": arrived.barcode}, follow=True)

    assert f"Reception of {arrived.barcode} recorded." in response.content.decode()
    assert arrived.barcode in response.content.decode()  # on today's list now
    assert SpecimenEvent.objects.filter(specimen=arrived, type="received").count() == 1
    assert AuditOutbox.objects.filter(action="specimen.event", object_id=str(arrived.pk)).exists()


def test_scanning_elsewhere_opens_the_specimen_and_an_unknown_code_is_an_error(client, lab):
    client.force_login(lab.technician)
    response = client.post(url("worklist", lab, "to_store"), {"code": lab.aliquots[0].barcode})
    assert response["Location"] == url("specimen_detail", lab, lab.aliquots[0].barcode)
    response = client.post(url("worklist", lab, "to_store"), {"code": lab.foreign.barcode})
    assert response.status_code == 400
    assert f"No specimen of this biobank has the barcode {lab.foreign.barcode}." in response.content.decode()


def test_the_lists_and_their_counts(client, lab):
    client.force_login(lab.auditor)
    index = client.get(url("worklists", lab)).content.decode()
    assert "Received today" in index and "To dispose" in index
    to_store = client.get(url("worklist", lab, "to_store")).content.decode()
    assert all(a.barcode in to_store for a in lab.aliquots)
    assert client.get(url("worklist", lab, "nonsense")).status_code == 404
    # An auditor reads the lists; recording a reception needs change_specimens.
    assert client.post(url("worklist", lab, "received_today"), {"code": lab.primary.barcode}).status_code == 403


def test_to_dispose_lists_the_material_of_a_no_further_use_withdrawal_and_the_dispose_action_works(client, lab):
    from tests.specimens.withdrawal_helpers import withdraw

    client.force_login(lab.technician)
    assert lab.primary.barcode not in client.get(url("worklist", lab, "to_dispose")).content.decode()
    withdraw(lab.donor, "no_further_use")

    page = client.get(url("worklist", lab, "to_dispose")).content.decode()
    assert all(s.barcode in page for s in (lab.primary, *lab.aliquots))
    assert "no further use" in page

    client.post(url("specimen_action", lab, "dispose", lab.aliquots[0].barcode), {"reason": "Withdrawal"})
    page = client.get(url("worklist", lab, "to_dispose")).content.decode()
    assert lab.aliquots[0].barcode not in page and lab.aliquots[1].barcode in page
