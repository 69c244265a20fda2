"""The actions of a specimen page: each calls its service and comes back with a message; refusals name the rule."""

from __future__ import annotations

import pytest

from specimens.models import SpecimenEvent
from tests.specimens.views.conftest import url

pytestmark = pytest.mark.django_db


def _act(client, lab, act, specimen, data=None, follow=True):
    return client.post(url("specimen_action", lab, act, specimen.barcode), data or {}, follow=follow)


def test_a_technician_thaws_aliquots_records_qc_and_derives(client, lab):
    client.force_login(lab.technician)
    aliquot = lab.aliquots[0]

    page = _act(client, lab, "thaw", aliquot, {"note": "for QC"}).content.decode()
    assert "Thaw recorded; 1 freeze-thaw cycle(s) so far." in page
    page = _act(client, lab, "qc", aliquot, {"measure": "volume_check", "value": "480", "unit": "uL"}).content.decode()
    assert "QC result recorded." in page
    page = _act(client, lab, "aliquot", lab.primary, {"count": "2", "quantity": "1", "unit": "mL"}).content.decode()
    assert "2 aliquots made" in page
    data = {"sample_type": "ZZZ", "material_type": "DNA", "used_quantity": "1", "used_unit": "mL"}
    page = _act(client, lab, "derive", lab.primary, {**data, "quantity": "20", "unit": "ug"}).content.decode()
    assert "Derivative" in page and "made." in page

    aliquot.refresh_from_db()
    assert aliquot.freeze_thaw_count == 1
    assert list(SpecimenEvent.objects.filter(specimen=aliquot).values_list("type", flat=True))[-2:] == [
        "thawed",
        "qc_result",
    ]


def test_reserve_and_ship_ask_the_consent_gate_and_the_page_shows_its_answer(client, lab):
    client.force_login(lab.technician)
    aliquot = lab.aliquots[1]

    page = _act(client, lab, "reserve", aliquot, {"purpose": "GRU", "reason": "study 7"}).content.decode()
    assert "Reserved; the consent gate permits it." in page
    page = _act(client, lab, "ship", aliquot, {"purpose": "GRU", "recipient": "Lab Z"}).content.decode()
    assert "Shipped to Lab Z" in page
    assert page.count("Consent gate:") == 2
    page = _act(client, lab, "return", aliquot).content.decode()
    assert "The return was recorded." in page


def test_a_refusal_comes_back_as_a_message_naming_the_rule(client, lab):
    client.force_login(lab.technician)
    page = _act(client, lab, "dispose", lab.aliquots[0]).content.decode()
    assert "Reason: This field is required." in page
    page = _act(client, lab, "aliquot", lab.aliquots[0], {"count": "9", "quantity": "1", "unit": "mL"}).content
    assert "cannot be taken from it" in page.decode()
    page = _act(client, lab, "unblock", lab.aliquots[0], {"reason": "corrected"}).content.decode()
    assert "cannot become" in page


def test_readers_may_not_act_and_an_unknown_action_is_404(client, lab):
    client.force_login(lab.auditor)
    assert _act(client, lab, "thaw", lab.aliquots[0], follow=False).status_code == 403
    client.force_login(lab.technician)
    assert _act(client, lab, "explode", lab.aliquots[0], follow=False).status_code == 404
    assert client.get(url("specimen_action", lab, "thaw", lab.aliquots[0].barcode)).status_code == 405
