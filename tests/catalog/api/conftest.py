"""Collections of the catalog API tests, as on the cross-cutting API tests (tests/api/conftest.py)."""

from __future__ import annotations

import pytest

from catalog.models import Collection
from tests.catalog.factories import make_collection


@pytest.fixture
def collection_a(biobank_a) -> Collection:
    return make_collection(biobank_a, code="crc-2024", name="Colorectal 2024")


@pytest.fixture
def collection_b(biobank_b) -> Collection:
    return make_collection(biobank_b, code="lung-2024", name="Lung 2024")
