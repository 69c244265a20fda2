"""The registration form takes an optional diagnosis; an unknown code is an error on that field."""

from __future__ import annotations

import pytest

from specimens.models import Specimen
from tests.specimens.views.conftest import url
from tests.specimens.views.test_register import FORM

pytestmark = pytest.mark.django_db


def _post(client, lab, **changes):
    data = {**FORM, "donor": lab.donor.pid_display, "collection": lab.collection.pk, **changes}
    return client.post(url("specimen_register", lab), data)


def test_a_diagnosis_is_registered_and_inherited_by_the_aliquots(client, lab):
    client.force_login(lab.technician)
    assert 'name="diagnosis"' in client.get(url("specimen_register", lab)).content.decode()
    response = _post(client, lab, barcode="DX-1", diagnosis="C18.7")
    assert response.status_code == 302
    specimen = Specimen.objects.get(barcode="DX-1")
    assert specimen.diagnosis == "C18.7"
    assert set(specimen.children.values_list("diagnosis", flat=True)) == {"C18.7"}


def test_an_unknown_diagnosis_names_the_field_and_the_code(client, lab):
    client.force_login(lab.technician)
    count = Specimen.objects.count()
    page = _post(client, lab, barcode="DX-2", diagnosis="C99.99").content.decode()
    assert "Diagnosis:" in page and "C99.99" in page
    assert Specimen.objects.count() == count
