"""``specimens.services.diagnoses``: one ICD-10 (WHO 2019) or ORPHA code, checked, inherited, correctable."""

from __future__ import annotations

import pytest

from biobank.errors import DomainError
from specimens.models import Specimen
from specimens.services import AliquotPlan, specimen_update
from tests.specimens.factories import make_specimen

pytestmark = pytest.mark.django_db


def test_a_known_code_is_kept_and_aliquots_inherit_it():
    specimen = make_specimen(diagnosis=" C18.7 ", aliquots=AliquotPlan(count=2, quantity=1, unit="mL"))
    assert specimen.diagnosis == "C18.7"
    assert set(specimen.children.values_list("diagnosis", flat=True)) == {"C18.7"}
    assert make_specimen(diagnosis="ORPHA:558").diagnosis == "ORPHA:558"


@pytest.mark.parametrize("bad", ["C99.9.9", "cancer", "C18, C19", "ORPHA:x"])
def test_an_unknown_code_names_the_field_and_value_and_nothing_is_written(bad):
    before = Specimen.objects.count()
    with pytest.raises(DomainError) as error:
        make_specimen(diagnosis=bad)
    assert error.value.field == "diagnosis"
    assert Specimen.objects.count() == before


def test_a_diagnosis_can_be_corrected():
    specimen = make_specimen()
    assert specimen_update(actor=None, specimen=specimen, diagnosis="K50").diagnosis == "K50"
    with pytest.raises(DomainError):
        specimen_update(actor=None, specimen=specimen, diagnosis="K5O")
