"""The catalogue search's semantics (catalog/search.py): facets any/all, the ICD-10 tree, the age overlap, text,
sort, sub-collections, and what is never shown (drafts, withdrawn collections, unpublished biobanks)."""

from __future__ import annotations

import pytest
from django.http import QueryDict

from catalog.search import SearchError, SearchParams, matching, parse_params
from catalog.search_results import run_search

pytestmark = pytest.mark.django_db


def found(query: str) -> set[str]:
    return set(matching(parse_params(QueryDict(query))).values_list("code", flat=True))


def test_without_a_filter_every_published_collection_is_found_and_never_a_draft_or_a_withdrawn_one(catalogue):
    assert found("") == {"crc", "rectum", "ibd-kids", "infants", "leuk"}


def test_a_biobank_whose_profile_is_a_draft_shows_nothing(catalogue):
    from catalog.models import BiobankProfile

    BiobankProfile.objects.filter(biobank=catalogue.at).update(state="draft")

    assert found("") == {"crc", "rectum", "ibd-kids"}


def test_match_any_finds_collections_with_one_of_the_materials_and_match_all_only_those_with_every_one(catalogue):
    assert found("material=PLASMA&material=SERUM") == {"crc", "ibd-kids", "infants"}
    assert found("material=PLASMA&material=SERUM&material_match=all") == {"ibd-kids"}


def test_a_chapter_selects_every_code_under_it_and_a_block_only_its_own(catalogue):
    assert found("diagnosis=chapter:II") == {"crc", "rectum", "leuk"}
    assert found("diagnosis=C15-C26") == {"crc", "rectum"}
    assert found("diagnosis=C18") == {"crc"}
    assert found("diagnosis=chapter:XI") == {"ibd-kids"}
    assert found("diagnosis=chapter:II&diagnosis=chapter:XI&diagnosis_match=all") == set()


def test_the_age_range_matches_collections_whose_range_overlaps_it_in_years(catalogue):
    # infants: 1-18 months (0.08-1.5 years); ibd-kids 6-16 years; the others 0 or 18 to 90 years
    assert found("age_min=1&age_max=1") == {"infants", "leuk"}
    assert found("age_min=16&age_max=17") == {"ibd-kids", "leuk"}  # "6 to 16 years": up to the 17th birthday
    assert found("age_min=17&age_max=17") == {"leuk"}
    assert found("age_min=2&age_max=5") == {"leuk"}
    assert found("age_min=91") == set()
    assert found("age_max=0") == {"infants", "leuk"}


def test_the_text_query_searches_name_description_biobank_and_disease_labels(catalogue):
    from catalog.vocabulary_loader import load_vocabularies

    load_vocabularies()

    assert found("q=colorectal") == {"crc"}  # the draft and the withdrawn one also say colorectal
    assert found("q=Danube") == {"infants", "leuk"}
    assert found("q=leukaemia -infant") == {"leuk"}
    assert found("q=colon") == {"crc"}  # C18 "Malignant neoplasm of colon"
    assert found("q=crohn") == {"ibd-kids"}  # K50 "Crohn disease"


def test_country_biobank_quality_and_network_facets(catalogue):
    from catalog import services

    contact = catalogue.crc.contact
    services.network_save(
        actor=None, bbmri_id="bbmri-eric:networkID:EU_test", name="Test network", description="A network.",
        contact=contact, member_biobanks=[catalogue.at],
    )  # fmt: skip

    assert found("country=AT") == {"infants", "leuk"}
    assert found("biobank=bb-de") == {"crc", "rectum", "ibd-kids"}
    assert found("quality=ISO-20387-2018") == {"infants", "leuk"}
    assert found("quality=iso-9001&quality=ISO-20387-2018&quality_match=all") == {"infants", "leuk"}
    assert found("network=bbmri-eric:networkID:EU_test") == {"infants", "leuk"}


def test_a_sub_collection_matches_on_its_own_attributes_and_is_listed_under_a_matching_parent(catalogue):
    only_child = run_search(parse_params(QueryDict("diagnosis=C20")), user=None)
    both = run_search(parse_params(QueryDict("material=TISSUE_FROZEN")), user=None)

    assert [e.collection.code for e in only_child.entries] == ["rectum"]
    assert [e.collection.code for e in both.entries] == ["crc"]
    assert [c.collection.code for c in both.entries[0].children] == ["rectum"]
    assert (both.total, both.results) == (2, 1)


def test_sort_by_size_uses_the_size_the_reader_sees_and_puts_unknown_sizes_last(catalogue):
    result = run_search(parse_params(QueryDict("sort=size")), user=None)
    by_name = run_search(parse_params(QueryDict("")), user=None)

    assert [e.collection.code for e in result.entries] == ["leuk", "crc", "infants", "ibd-kids"]
    assert [e.size for e in result.entries] == [1230, 140, None, None]
    assert [e.collection.code for e in by_name.entries] == ["crc", "infants", "leuk", "ibd-kids"]


def test_bad_parameters_are_all_named_with_the_value_and_what_is_allowed(catalogue):
    with pytest.raises(SearchError) as raised:
        parse_params(QueryDict("material=PLASM&diagnosis=Z99.99&age_min=x&age_max=200&sort=big&sex_match=some&zap=1"))

    errors = raised.value.errors
    assert set(errors) == {"material", "diagnosis", "age_min", "age_max", "sort", "sex_match", "zap"}
    assert "'PLASM'" in errors["material"] and "PLASMA" in errors["material"]
    assert "chapter:II" in errors["diagnosis"]
    assert "name, size" in errors["sort"]
    assert "any, all" in errors["sex_match"]


def test_an_empty_age_range_and_match_all_on_a_single_valued_facet_are_refused(catalogue):
    with pytest.raises(SearchError) as raised:
        parse_params(QueryDict("age_min=50&age_max=10&country=DE&country_match=all"))

    assert set(raised.value.errors) == {"age_max", "country_match"}


def test_the_parameters_survive_a_round_trip_through_a_dict_and_a_query_string():
    params = SearchParams(q="colon", material=("PLASMA", "SERUM"), material_match="all", age_min=18, sort="size")

    assert SearchParams.from_dict(params.as_dict()) == params
    assert parse_params(QueryDict(_encode(params.query_items()))) == params


def _encode(items):
    from django.utils.http import urlencode

    return urlencode(items)
