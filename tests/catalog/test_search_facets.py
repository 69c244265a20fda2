"""Facet counts (catalog/search_facets.py): each facet counted with the OTHER facets applied, in one query."""

from __future__ import annotations

import pytest
from django.http import QueryDict

from catalog.search import parse_params
from catalog.search_facets import facet_counts

pytestmark = pytest.mark.django_db


def counts(query: str):
    return facet_counts(parse_params(QueryDict(query)))


def test_without_a_filter_each_value_counts_the_collections_having_it(catalogue):
    found = counts("")

    assert found.total == 5
    assert found.of("material") == {"PLASMA": 2, "TISSUE_FROZEN": 2, "SERUM": 2, "DNA": 1}
    assert found.of("country") == {"DE": 3, "AT": 2}
    assert found.of("biobank") == {"bb-de": 3, "bb-at": 2}
    assert found.of("diagnosis") == {"chapter:II": 3, "chapter:XI": 1}
    assert found.of("quality") == {"iso-9001": 5, "ISO-20387-2018": 2}
    assert found.of("age") == {"0-17": 3, "18-64": 3, "65-150": 3}


def test_a_facet_is_counted_without_its_own_selection_and_with_every_other_one(catalogue):
    found = counts("material=SERUM&country=DE")

    assert found.total == 1  # ibd-kids
    assert found.of("material") == {"SERUM": 1, "PLASMA": 2, "TISSUE_FROZEN": 2}  # country DE only
    assert found.of("country") == {"DE": 1, "AT": 1}  # material SERUM only
    assert found.of("biobank") == {"bb-de": 1}


def test_a_selected_chapter_also_counts_its_blocks_and_a_parent_and_child_count_once_each(catalogue):
    found = counts("diagnosis=chapter:II")

    assert found.of("diagnosis")["chapter:II"] == 3
    assert found.of("diagnosis")["C00-C97"] == 3
    assert found.total == 3  # crc and its sub-collection rectum are two collections


def test_the_facet_counts_take_one_query(catalogue, django_assert_num_queries):
    params = parse_params(QueryDict("material=SERUM&diagnosis=chapter:II&age_min=1&q=tumour&network_match=all"))

    with django_assert_num_queries(1):
        facet_counts(params)
