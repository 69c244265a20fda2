"""The data-quality checks (catalog/quality.py): each finding with a case that finds it and one that does not."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from catalog import quality
from catalog.models import BiobankProfile, Collection, CollectionFact, Person, PublicationState
from catalog.quality import FactSummary
from tests.catalog.factories import make_collection

GOOD = "Tumour tissue and blood of patients operated on for colorectal cancer since 2015."
PERSON = Person(pk=7, bbmri_id="bbmri-eric:contactID:DE_a_1", email="c@example.org", country="DE")


def described(**changes) -> Collection:
    """A complete, published collection (unsaved: the checks never query)."""
    values = {
        "pk": 1, "biobank_id": 1, "code": "crc", "name": "CRC", "description": GOOD, "contact": PERSON,
        "bbmri_id": "bbmri-eric:ID:DE_a:collection:crc", "sex": ["FEMALE", "MALE"], "dataset_types": ["Other"],
        "materials": ["TISSUE_FROZEN", "SERUM"], "age_low": 18, "age_high": 90, "age_unit": "YEAR",
        "state": PublicationState.PUBLISHED,
    } | changes  # fmt: skip
    return Collection(**values)


def facts(ages=("Adult",), materials=("TISSUE_FROZEN", "SERUM")) -> FactSummary:
    return FactSummary(age_ranges={"*", *ages}, materials={"*", *materials}, has_facts=True)


def kinds(findings) -> list[str]:
    return [f.kind for f in findings]


def test_a_complete_collection_with_matching_facts_has_no_finding():
    assert quality.collection_findings(described(), facts()) == []


@pytest.mark.parametrize(
    "text", ["", "TBD", "todo", "Lorem ipsum dolor sit amet, consectetur adipiscing elit sed do.", "n/a", "test",
             "Short text.", "Samples of the cohort, description TODO when the study protocol is final."],
)  # fmt: skip
def test_placeholder_descriptions_are_found(text):
    found = quality.check_description(described(description=text))
    assert kinds(found) == ["placeholder_description"]
    assert found[0].field == "description" and "30" in found[0].fix


@pytest.mark.parametrize("text", [GOOD, "Test results of newborn screening, blood spots kept since 1990 in Vienna."])
def test_real_descriptions_are_not_placeholders(text):
    assert quality.check_description(described(description=text)) == []


def test_a_collection_without_contact_is_found_an_error_once_published():
    assert kinds(quality.check_contact(described(contact=None))) == ["no_contact"]
    assert quality.check_contact(described(contact=None))[0].severity == quality.ERROR
    assert quality.check_contact(described(contact=None, state="draft"))[0].severity == quality.WARNING
    assert quality.check_contact(described()) == []


def test_a_published_collection_missing_what_miabis_requires_is_found_with_the_attributes_named():
    found = quality.check_published_requirements(described(sex=[], bbmri_id=None))
    assert kinds(found) == ["published_incomplete"]
    assert "sex" in found[0].message and "BBMRI-ERIC ID" in found[0].message
    assert quality.check_published_requirements(described(sex=[], state="draft")) == []
    assert quality.check_published_requirements(described()) == []


def test_facts_with_ages_outside_the_declared_range_are_found():
    found = quality.check_age_range(described(age_low=18, age_high=90), facts(ages=("Adult", "Child")))
    assert kinds(found) == ["age_range_inconsistent"]
    assert "Child (2-12 years)" in found[0].message and "18" in found[0].message


@pytest.mark.parametrize(
    ("low", "high", "unit", "ages"),
    [
        (18, 90, "YEAR", ("Adult", "Aged (>80 years)", "Unknown")),
        (0, 12, "YEAR", ("Child", "Newborn")),  # "up to 12 years" includes a 12.5-year-old
        (0, 30, "MONTH", ("Newborn", "Infant")),
        (None, None, "", ("Child",)),  # no declared range: nothing to compare with
        (None, 17, "YEAR", ("Adolescent",)),
    ],
)
def test_facts_within_the_declared_range_are_consistent(low, high, unit, ages):
    collection = described(age_low=low, age_high=high, age_unit=unit)
    assert quality.check_age_range(collection, facts(ages=ages)) == []


def test_a_child_range_outside_a_months_range_is_found():
    collection = described(age_low=0, age_high=11, age_unit="MONTH")
    assert kinds(quality.check_age_range(collection, facts(ages=("Child",)))) == ["age_range_inconsistent"]


def test_declared_materials_the_facts_do_not_show_and_undeclared_fact_materials_are_found():
    found = quality.check_materials(
        described(materials=["TISSUE_FROZEN", "DNA"]), facts(materials=["TISSUE_FROZEN", "SERUM"])
    )
    assert kinds(found) == ["materials_not_in_facts", "materials_not_declared"]
    assert "DNA" in found[0].message and "Serum" in found[1].message


def test_matching_materials_and_a_collection_without_facts_give_no_material_finding():
    assert quality.check_materials(described(), facts()) == []
    assert quality.check_materials(described(), FactSummary()) == []


def test_a_published_sub_collection_of_a_draft_parent_is_found():
    parent = described(pk=2, name="Parent", state=PublicationState.DRAFT)
    found = quality.check_parent_state(described(parent_id=2), parent)
    assert kinds(found) == ["published_under_draft_parent"] and "Parent" in found[0].message
    assert quality.check_parent_state(described(parent_id=2), described(pk=2)) == []
    assert quality.check_parent_state(described(parent_id=2, state="draft"), parent) == []
    assert quality.check_parent_state(described(), None) == []


def test_a_collection_without_facts_is_noted():
    assert kinds(quality.check_has_facts(described(), FactSummary())) == ["no_facts"]
    assert quality.check_has_facts(described(), facts()) == []


def test_a_missing_or_draft_biobank_profile_is_found():
    biobank = SimpleNamespace(name="Biobank A", pk=1)
    assert kinds(quality.check_profile(None, biobank)) == ["profile_missing"]
    draft = BiobankProfile(bbmri_id="bbmri-eric:ID:DE_a", description=GOOD, juristic_person="A", state="draft")
    draft.contact = PERSON
    assert kinds(quality.check_profile(draft, biobank)) == ["profile_draft"]
    published = BiobankProfile(bbmri_id="bbmri-eric:ID:DE_a", description=GOOD, juristic_person="A",
                               state=PublicationState.PUBLISHED)  # fmt: skip
    published.contact = PERSON
    assert quality.check_profile(published, biobank) == []
    published.description = "TBD"
    assert kinds(quality.check_profile(published, biobank)) == ["placeholder_description"]


@pytest.mark.django_db
def test_biobank_findings_reads_the_facts_and_runs_every_check_in_a_fixed_number_of_queries(
    biobank_a, biobank_b, django_assert_num_queries
):
    crc = make_collection(biobank_a, "crc", "CRC", description=GOOD)
    make_collection(biobank_a, "tbd", "To be described", description="TBD")
    make_collection(biobank_b, "other", "Other", description=GOOD)
    Collection.objects.filter(pk=crc.pk).update(materials=["DNA"], age_low=18, age_high=60, age_unit="YEAR")
    now = datetime.now(UTC)
    CollectionFact.objects.bulk_create(
        CollectionFact(collection=crc, sex="*", age_range=age, material_type=material, disease="*",
                       number_of_samples=12, number_of_donors=11, computed_at=now)
        for age, material in [("*", "*"), ("Child", "*"), ("*", "SERUM")]
    )  # fmt: skip

    with django_assert_num_queries(3):
        result = quality.biobank_findings([biobank_a, biobank_b])

    found_a = {(f.kind, getattr(f.obj, "code", "")) for f in result[biobank_a.pk].findings}
    assert {("profile_missing", "biobank-a"), ("age_range_inconsistent", "crc"), ("materials_not_in_facts", "crc"),
            ("materials_not_declared", "crc"), ("no_contact", "crc"), ("placeholder_description", "tbd"),
            ("no_facts", "tbd")} <= found_a  # fmt: skip
    assert ("no_facts", "crc") not in found_a
    assert {getattr(f.obj, "code", "") for f in result[biobank_b.pk].findings} <= {"biobank-b", "other"}
    assert result[biobank_a.pk].counts["error"] == 1  # the missing profile
