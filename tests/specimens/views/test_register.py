"""Registering a primary specimen with its aliquots in one form; errors name their field."""

from __future__ import annotations

import pytest

from biobank.audit.models import AuditOutbox
from specimens.models import Specimen
from tests.specimens.views.conftest import url

pytestmark = pytest.mark.django_db

FORM = {
    "sample_type": "PL1",
    "quantity": "5",
    "unit": "mL",
    "aliquot_count": "10",
    "aliquot_quantity": "0.5",
    "aliquot_unit": "mL",
    "collected_at": "2026-12-01T08:00",
    "received_at": "2026-12-01T08:40",
    "primary_container": "PED",
    "pre_centrifugation_delay_min": "60",
    "pre_centrifugation_temperature_c": "21",
    "centrifugation": "done",
    "centrifugation_temperature_c": "20",
    "centrifugation_duration_min": "10",
    "centrifugation_g_force": "2000",
    "centrifugation_braking": "yes",
    "second_centrifugation": "none",
    "post_centrifugation_delay_min": "30",
    "post_centrifugation_temperature_c": "4",
    "storage_container": "cryotube-1-2ml",
    "storage_method": "programmable-freezing",
    "storage_temperature_c": "-150",
}


def _post(client, lab, **changes):
    data = {**FORM, "donor": lab.donor.pid_display, "collection": lab.collection.pk, **changes}
    return client.post(url("specimen_register", lab), {k: v for k, v in data.items() if v is not None})


def test_a_technician_registers_ten_aliquots_of_half_a_millilitre_and_lands_on_the_specimen(client, lab):
    client.force_login(lab.technician)
    assert client.get(url("specimen_register", lab)).status_code == 200

    response = _post(client, lab, barcode="TUBE-0001")

    specimen = Specimen.objects.get(barcode="TUBE-0001")
    assert response.status_code == 302
    assert response["Location"] == url("specimen_detail", lab, "TUBE-0001") + "?registered=1"
    assert specimen.children.count() == 10
    assert specimen.quantity == 0  # 10 x 0.5 mL of 5 mL: used up
    assert specimen.sprec_code.startswith("PL1-PED-A-")
    page = client.get(response["Location"]).content.decode()
    assert "New aliquots" in page and "Print labels (11)" in page
    assert AuditOutbox.objects.filter(action="specimen.register", object_id=str(specimen.pk)).exists()


def test_a_direct_sprec_code_is_kept_when_the_facts_are_unknown(client, lab):
    client.force_login(lab.technician)
    data = dict.fromkeys(FORM, "")
    data |= {"sample_type": "SER", "quantity": "2", "unit": "mL", "sprec_code": "ser-sst-a-b-n-a-e", "barcode": "S-9"}
    response = client.post(
        url("specimen_register", lab), {**data, "donor": lab.donor.pid_display, "collection": lab.collection.pk}
    )
    assert response.status_code == 302
    specimen = Specimen.objects.get(barcode="S-9")
    assert (specimen.sprec_code, specimen.sprec_entered) == ("SER-SST-A-B-N-A-E", True)


def test_errors_name_their_field(client, lab):
    client.force_login(lab.technician)
    count = Specimen.objects.count()

    unknown = _post(client, lab, donor="ZZZZZ-ZZZZZ-Z").content.decode()
    assert "Donor PID: No donor of this biobank has the PID ZZZZZ-ZZZZZ-Z." in unknown
    taken = _post(client, lab, barcode=lab.primary.barcode).content.decode()
    assert f"Barcode: Barcode {lab.primary.barcode} is already in use" in taken
    too_much = _post(client, lab, aliquot_count="20").content.decode()
    assert "Quantity:" in too_much and "cannot be taken from it" in too_much
    missing = _post(client, lab, aliquot_quantity="").content.decode()
    assert "Quantity of each aliquot: Say how much each aliquot holds." in missing
    out_of_range = _post(client, lab, storage_temperature_c="10").content.decode()
    assert "Storage temperature (°C): storage_temperature_c 10 °C has no SPREC storage letter" in out_of_range
    bad_code = _post(client, lab, sprec_code="PL1-QQQ-A-B-N-A-E").content.decode()
    assert "SPREC code: Position 2" in bad_code

    assert Specimen.objects.count() == count


def test_people_who_may_not_change_specimens_get_403_and_other_biobanks_404(client, lab, outsider):
    client.force_login(lab.data_manager)
    assert client.get(url("specimen_register", lab)).status_code == 403
    assert _post(client, lab).status_code == 403
    client.force_login(outsider)
    assert client.get(url("specimen_register", lab)).status_code == 404
