"""Registering specimens: barcodes, SPREC from facts, aliquots, derivatives and pools with mass balance."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from biobank.audit.models import AuditOutbox
from biobank.errors import ConflictError, DomainError, ForbiddenError
from specimens.models import Specimen, SpecimenEvent, SpecimenSource
from specimens.services import AliquotPlan, specimen_derive, specimen_pool, specimens_aliquot
from tests.accounts.factories import make_biobank, make_member
from tests.specimens.factories import PLASMA_FACTS, make_collection, make_specimen

pytestmark = pytest.mark.django_db


def test_a_primary_specimen_gets_a_generated_barcode_its_material_type_and_an_audit_event():
    specimen = make_specimen(sample_type="SER")
    assert specimen.barcode.startswith(specimen.biobank.code.upper())
    assert specimen.material_type == "Serum"
    assert specimen.sprec_kind == "fluid"
    assert specimen.status == "available"
    assert AuditOutbox.objects.filter(action="specimen.register", object_id=str(specimen.pk)).count() == 1


def test_generated_barcodes_are_consecutive_and_never_repeat():
    biobank = make_biobank()
    collection = make_collection(biobank)
    first = make_specimen(collection=collection)
    second = make_specimen(collection=collection)
    assert first.barcode != second.barcode
    assert int(second.barcode[-7:]) == int(first.barcode[-7:]) + 1


def test_the_sprec_code_is_derived_from_the_recorded_facts():
    specimen = make_specimen(sample_type="PL1", facts=PLASMA_FACTS)
    assert specimen.sprec_code.startswith("PL1-PED-A-")
    assert specimen.material_type == "Plasma"
    assert not specimen.sprec_entered


def test_missing_facts_give_x_and_an_entered_code_is_kept_when_valid():
    assert make_specimen(sample_type="SER").sprec_code == "SER-XXX-X-X-X-X-X"
    entered = make_specimen(sample_type="SER", sprec_code="SER-SST-A-B-N-A-E")
    assert (entered.sprec_code, entered.sprec_entered) == ("SER-SST-A-B-N-A-E", True)


def test_an_entered_code_for_another_sample_type_is_refused_and_nothing_is_written():
    before = Specimen.objects.count()
    with pytest.raises(DomainError) as error:
        make_specimen(sample_type="PL1", sprec_code="SER-SST-A-B-N-A-E")
    assert error.value.field == "sprec_code"
    assert Specimen.objects.count() == before


def test_an_out_of_range_fact_names_the_fact():
    with pytest.raises(DomainError) as error:
        make_specimen(
            sample_type="SER",
            facts={
                "centrifugation": "done",
                "centrifugation_duration_min": 5000,
                "centrifugation_temperature_c": Decimal(20),
                "centrifugation_g_force": 2000,
                "centrifugation_braking": True,
            },
        )
    assert error.value.code == "sprec"


def test_a_scanned_barcode_that_exists_is_a_conflict():
    specimen = make_specimen(barcode="TUBE-1")
    with pytest.raises(ConflictError):
        make_specimen(biobank=specimen.biobank, barcode="TUBE-1")


@pytest.mark.parametrize("barcode", ["has space", "-leading", "x" * 65, "ümlaut"])
def test_a_malformed_barcode_is_refused(barcode):
    with pytest.raises(DomainError) as error:
        make_specimen(barcode=barcode)
    assert error.value.field == "barcode"


def test_a_type_listed_as_fluid_and_solid_needs_its_kind():
    with pytest.raises(DomainError) as error:
        make_specimen(sample_type="CEN", unit="count", quantity=1)
    assert error.value.field == "kind"
    assert make_specimen(sample_type="CEN", kind="solid", unit="count", quantity=1).sprec_kind == "solid"


def test_registering_with_aliquots_deducts_them_from_the_primary():
    primary = make_specimen(
        quantity="10", unit="mL", aliquots=AliquotPlan(count=10, quantity=Decimal("0.5"), unit="mL")
    )
    assert primary.quantity == Decimal(5)
    children = list(primary.children.all())
    assert len(children) == 10
    assert {c.lineage for c in children} == {"aliquot"}
    assert {c.quantity for c in children} == {Decimal("0.5")}
    assert sum(s.used_quantity for s in SpecimenSource.objects.filter(parent=primary)) == Decimal(5)
    assert SpecimenEvent.objects.filter(specimen=primary, type="aliquoted").count() == 1


def test_aliquots_in_another_unit_of_the_same_dimension_are_converted():
    primary = make_specimen(quantity="1", unit="mL")
    specimens_aliquot(actor=None, parent=primary, count=4, quantity=250, unit="uL")
    primary.refresh_from_db()
    assert primary.quantity == 0
    assert primary.status == "consumed"


def test_an_aliquot_larger_than_what_is_left_is_refused_and_nothing_is_written():
    primary = make_specimen(quantity="1", unit="mL")
    with pytest.raises(DomainError) as error:
        specimens_aliquot(actor=None, parent=primary, count=3, quantity="0.5", unit="mL")
    assert error.value.code == "mass_balance"
    primary.refresh_from_db()
    assert primary.quantity == 1
    assert not primary.children.exists()


def test_a_unit_of_another_dimension_is_a_unit_mismatch():
    primary = make_specimen(quantity="1", unit="mL")
    with pytest.raises(DomainError) as error:
        specimens_aliquot(actor=None, parent=primary, count=1, quantity="1", unit="mg")
    assert error.value.code == "unit_mismatch"


def test_a_derivative_takes_volume_and_is_measured_in_mass():
    blood = make_specimen(sample_type="BLD", quantity="9", unit="mL")
    dna = specimen_derive(
        actor=None,
        parent=blood,
        sample_type="ZZZ",
        material_type="DNA",
        used_quantity="2",
        used_unit="mL",
        quantity="40",
        unit="ug",
    )
    blood.refresh_from_db()
    assert blood.quantity == 7
    assert (dna.material_type, dna.lineage, dna.parent_id, dna.unit) == ("DNA", "derivative", blood.pk, "ug")
    assert dna.sprec_code.startswith("ZZZ-")


def test_a_pool_takes_from_each_parent_and_sums_what_it_took():
    first = make_specimen(quantity="2", unit="mL")
    second = make_specimen(collection=first.collection, donor=first.donor, quantity="3", unit="mL")
    pool = specimen_pool(actor=None, parts=[(first, "1", "mL"), (second, "500", "uL")])
    assert pool.lineage == "pool" and pool.parent_id is None
    assert pool.quantity == Decimal("1.5")
    assert set(pool.sources.values_list("parent_id", flat=True)) == {first.pk, second.pk}
    second.refresh_from_db()
    assert second.quantity == Decimal("2.5")


def test_a_pool_of_two_donors_is_refused():
    first = make_specimen()
    other = make_specimen(collection=first.collection)
    with pytest.raises(DomainError):
        specimen_pool(actor=None, parts=[(first, "1", "mL"), (other, "1", "mL")])


def test_the_database_refuses_a_negative_quantity_whatever_the_caller():
    specimen = make_specimen(quantity="1")
    with pytest.raises(IntegrityError), transaction.atomic():
        Specimen.objects.filter(pk=specimen.pk).update(quantity=Decimal("-0.1"))


def test_a_member_without_change_specimens_may_not_register():
    biobank = make_biobank()
    auditor = make_member(biobank, "auditor")
    with pytest.raises(ForbiddenError):
        make_specimen(biobank=biobank, actor=auditor)


def test_a_technician_registers_and_is_named_as_creator():
    biobank = make_biobank()
    technician = make_member(biobank, "technician")
    specimen = make_specimen(biobank=biobank, actor=technician)
    assert specimen.created_by == technician
