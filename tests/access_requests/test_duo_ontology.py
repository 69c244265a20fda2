"""Disease CURIEs written one way, and where diseases sit: ICD-10 built in, other ontologies from the caller."""

from __future__ import annotations

import pytest

from access_requests.duo.ontology import Ancestry, CurieError, curie_normalise, icd10_ancestors


@pytest.mark.parametrize(
    ("given", "written"),
    [
        ("ICD10:E11.9", "ICD10:E11.9"),
        ("ICD-10:E11.9", "ICD10:E11.9"),
        ("icd10:e119", "ICD10:E11.9"),
        ("urn:miriam:icd:E11.9", "ICD10:E11.9"),
        ("E11.9", "ICD10:E11.9"),
        (" E11 ", "ICD10:E11"),
        ("E10-E14", "ICD10:E10-E14"),
        ("ICD10:chapter:IV", "ICD10:chapter:IV"),
        ("ORPHA:558", "ORPHA:558"),
        ("Orphanet:0558", "ORPHA:558"),
        ("http://www.orpha.net/ORDO/Orphanet_558", "ORPHA:558"),
        ("http://purl.obolibrary.org/obo/DOID_162", "DOID:162"),
        ("doid:162", "DOID:162"),
        ("MONDO:0005148", "MONDO:0005148"),
    ],
)
def test_it_writes_each_accepted_form_one_way(given, written):
    assert curie_normalise(given) == written


@pytest.mark.parametrize(
    "bad", ["", "diabetes", "ICD10:diabetes", "ICD10:E1", "ORPHA:abc", "E11.999", ":162", "x" * 201]
)
def test_it_refuses_what_is_no_disease_curie_saying_what_is_allowed(bad):
    with pytest.raises(CurieError) as error:
        curie_normalise(bad)

    assert str(error.value)


def test_icd10_ancestry_runs_from_subcategory_to_chapter():
    assert icd10_ancestors("ICD10:E11.9") == ["ICD10:E11", "ICD10:E10-E14", "ICD10:chapter:IV"]


def test_icd10_blocks_nest():
    assert icd10_ancestors("ICD10:C18")[:3] == ["ICD10:C15-C26", "ICD10:C00-C75", "ICD10:C00-C97"]


def test_a_known_icd10_code_is_placed_and_an_unknown_one_is_not():
    ancestry = Ancestry()

    assert ancestry.placed("ICD10:E11.9")
    assert not ancestry.placed("ICD10:U99.9")
    assert not ancestry.placed("DOID:162")


def test_the_callers_map_places_its_keys_and_is_followed_transitively():
    ancestry = Ancestry({"doid:10155": ["DOID:3119"], "DOID:3119": ["http://purl.obolibrary.org/obo/DOID_162"]})

    assert ancestry.placed("DOID:10155")
    assert ancestry.ancestors("DOID:10155") == {"DOID:3119", "DOID:162"}
    assert ancestry.within("DOID:10155", "DOID:162")
    assert not ancestry.within("DOID:162", "DOID:10155")


def test_the_map_may_put_an_icd10_code_under_another_ontology_and_back():
    ancestry = Ancestry({"ORPHA:558": ["ICD10:Q87.4"]})

    assert ancestry.within("ORPHA:558", "ICD10:Q87")
    assert ancestry.within("ORPHA:558", "ICD10:chapter:XVII")


def test_a_cycle_in_the_map_ends():
    ancestry = Ancestry({"DOID:1": ["DOID:2"], "DOID:2": ["DOID:1"]})

    assert ancestry.ancestors("DOID:1") == {"DOID:2"}


def test_a_bad_curie_in_the_map_is_refused():
    with pytest.raises(CurieError):
        Ancestry({"DOID:1": ["not a curie"]})


@pytest.mark.parametrize("key", ["ICD10:E11", "E11", "urn:miriam:icd:E11", "ICD-10:E11", "ICD10:E10-E14"])
def test_an_entry_keyed_by_an_icd10_code_is_ignored_in_any_form(key):
    ancestry = Ancestry({key: ["ICD10:C18"], "DOID:1": ["DOID:2"]})

    assert not ancestry.within("ICD10:E11.9", "ICD10:C18")
    assert ancestry.ignored == (curie_normalise(key),)
    assert ancestry.within("DOID:1", "DOID:2")


def test_a_disease_named_only_as_an_ancestor_is_placed_as_a_root():
    ancestry = Ancestry({"DOID:2": ["DOID:1"]})

    assert ancestry.placed("DOID:1")
    assert ancestry.ancestors("DOID:1") == frozenset()
    assert not ancestry.placed("DOID:3")


def test_a_disease_named_only_in_an_ignored_entry_is_not_placed():
    assert not Ancestry({"ICD10:E11": ["DOID:7"]}).placed("DOID:7")
