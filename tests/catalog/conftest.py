"""Collections of the catalog page tests (tests/catalog/test_views.py), as on the other page tests (tests/web/)."""

from __future__ import annotations

import pytest

from tests.catalog.factories import make_collection


@pytest.fixture
def collection_a(biobank_a):
    return make_collection(biobank_a, code="breast-2019", name="Breast cancer 2019", description="Tumour and blood.")


@pytest.fixture
def collection_b(biobank_b):
    return make_collection(biobank_b, code="liver", name="Liver cohort")
