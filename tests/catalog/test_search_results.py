"""Running a search for a reader (catalog/search_results.py): sizes exact for staff of the biobank, k-anonymous and
obfuscated for everyone else, and a fixed number of queries however many results."""

from __future__ import annotations

import pytest
from django.http import QueryDict

from biobank.accounts.choices import Role
from catalog.search import SearchParams, parse_params
from catalog.search_results import export_rows, run_search
from tests.accounts.factories import make_member
from tests.catalog.factories import make_published_collection

pytestmark = pytest.mark.django_db


def sizes(result):
    return {e.collection.code: (e.size, e.exact) for e in result.entries}


def test_the_public_sees_obfuscated_sizes_and_no_size_under_k_donors(catalogue):
    result = run_search(SearchParams(), user=None)

    assert sizes(result) == {
        "crc": (140, False), "ibd-kids": (None, False), "infants": (None, False), "leuk": (1230, False),
    }  # fmt: skip
    assert [(c.collection.code, c.size) for c in result.entries[0].children] == [("rectum", 40)]


def test_staff_of_the_biobank_see_exact_sizes_of_its_collections_only(catalogue):
    staff = make_member(catalogue.de, Role.DATA_MANAGER)

    result = run_search(SearchParams(), user=staff)

    assert sizes(result) == {
        "crc": (137, True), "ibd-kids": (8, True), "infants": (None, False), "leuk": (1230, False),
    }  # fmt: skip


def test_the_number_of_queries_does_not_grow_with_the_results(catalogue, django_assert_max_num_queries):
    staff = make_member(catalogue.de, Role.DATA_MANAGER)
    params = parse_params(QueryDict("sort=size&q=tumour&material=PLASMA&material=TISSUE_FROZEN"))
    with django_assert_max_num_queries(7) as few:
        run_search(params, user=staff)
    for number in range(30):
        make_published_collection(catalogue.de, f"more-{number}", f"More tumours {number}", materials=["PLASMA"])

    with django_assert_max_num_queries(len(few.captured_queries)):
        result = run_search(params, user=staff)
    assert result.total == 32


def test_pages_hold_page_size_entries_and_a_page_past_the_end_shows_the_last(catalogue):
    first = run_search(SearchParams(), user=None, page=1, page_size=3)
    last = run_search(SearchParams(), user=None, page=99, page_size=3)

    assert (first.pages, len(first.entries), last.page, len(last.entries)) == (2, 3, 2, 1)


def test_the_export_lists_every_collection_children_after_their_parent(catalogue):
    rows = export_rows(SearchParams(), user=None)

    assert [e.collection.code for e in rows] == ["crc", "rectum", "infants", "leuk", "ibd-kids"]
