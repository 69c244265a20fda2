"""The search in words (catalog/search_describe.py), as the cart carries it into an access request."""

from __future__ import annotations

import pytest

from catalog.search import SearchParams
from catalog.search_describe import describe

pytestmark = pytest.mark.django_db


def test_the_description_names_each_facet_with_readable_labels_and_the_match_mode():
    params = SearchParams(
        q="colorectal", material=("PLASMA", "SERUM"), diagnosis=("chapter:II",), sex=("FEMALE", "MALE"),
        sex_match="all", age_min=18, age_max=65,
    )  # fmt: skip

    assert describe(params) == (
        "Collections with material type Plasma or Serum; sex Female and Male; diagnosis in chapter II Neoplasms; "
        "ages overlapping 18-65 years; text 'colorectal'"
    )


def test_biobanks_are_named_and_an_empty_search_is_the_whole_catalogue(catalogue):
    assert describe(SearchParams(biobank=("bb-at",))) == "Collections with biobank Danube Biobank"
    assert describe(SearchParams()) == "All collections of the catalogue"
