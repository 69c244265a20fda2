"""Fixtures of the storage tests (imported by the conftest of each test folder that needs them)."""

from __future__ import annotations

import pytest

from biobank.accounts.choices import Role
from tests.accounts.factories import make_member
from tests.specimens.factories import make_storage_box


@pytest.fixture
def technician_a(biobank_a):
    return make_member(biobank_a, Role.TECHNICIAN, email="tech-a@example.org")


@pytest.fixture
def technician_b(biobank_b):
    return make_member(biobank_b, Role.TECHNICIAN, email="tech-b@example.org")


@pytest.fixture
def viewer_a(biobank_a):
    """Sees specimens and storage, may not change them."""
    return make_member(biobank_a, Role.DATA_MANAGER, email="dm-a@example.org")


@pytest.fixture
def box_a(biobank_a):
    return make_storage_box(biobank_a, rows=9, columns=9, code="BOX-A")


@pytest.fixture
def box_b(biobank_b):
    return make_storage_box(biobank_b, rows=9, columns=9, code="BOX-B")
