"""Fixtures of the cross-cutting API tests: a collection in biobank A and the personas of the permission matrix.

``token_client`` and ``login`` live in tests/conftest.py (the app API tests under tests/<app>/api/ use them too);
``bearer`` in tests/accounts/factories.py. The catalog API tests have the same collections in
tests/catalog/api/conftest.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from biobank.accounts.choices import ROLE_PERMISSIONS, TOKEN_GRANTABLE_PERMISSIONS, Role
from biobank.accounts.models import Biobank
from catalog.models import Collection
from tests.accounts.factories import UserFactory, bearer, make_member, make_token
from tests.catalog.factories import make_collection


@pytest.fixture(autouse=True)
def _fresh_throttle_buckets():
    """Throttle counters live in the cache; each test starts with empty buckets."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def collection_a(biobank_a) -> Collection:
    return make_collection(biobank_a, code="crc-2024", name="Colorectal 2024")


@pytest.fixture
def collection_b(biobank_b) -> Collection:
    return make_collection(biobank_b, code="lung-2024", name="Lung 2024")


@dataclass
class Persona:
    """Someone calling the API, and what they hold on biobank A and elsewhere (derived from ROLE_PERMISSIONS)."""

    name: str
    client: APIClient
    perms_on_a: frozenset[str] = frozenset()
    perms_elsewhere: frozenset[str] = frozenset()
    authenticated: bool = True
    extra: dict = field(default_factory=dict)


READ_ONLY_TOKEN_PERMISSIONS = ("view_biobank", "view_catalog")
PERSONAS = [
    *[role.value for role in Role],
    "anonymous",
    "researcher",
    "outsider",
    "token",
    "read_only_token",
    "token_of_b",
]


def make_persona(name: str, biobank_a: Biobank, biobank_b: Biobank) -> Persona:
    if name in Role.values:
        user = make_member(biobank_a, name, email=f"{name}@example.org")
        client = APIClient()
        client.force_login(user)
        return Persona(name, client, perms_on_a=ROLE_PERMISSIONS[name])
    if name == "anonymous":
        return Persona(name, APIClient(), authenticated=False)
    if name == "researcher":
        user = UserFactory(email="researcher@example.org", is_researcher=True)
        client = APIClient()
        client.force_login(user)
        return Persona(name, client)
    if name == "outsider":
        user = make_member(biobank_b, Role.BIOBANK_ADMIN, email="outsider@example.org")
        client = APIClient()
        client.force_login(user)
        return Persona(name, client, perms_elsewhere=ROLE_PERMISSIONS[Role.BIOBANK_ADMIN])
    if name == "token":
        secret = make_token(biobank_a, *TOKEN_GRANTABLE_PERMISSIONS)
        return Persona(name, bearer(secret), frozenset(TOKEN_GRANTABLE_PERMISSIONS))
    if name == "read_only_token":
        secret = make_token(biobank_a, *READ_ONLY_TOKEN_PERMISSIONS)
        return Persona(name, bearer(secret), frozenset(READ_ONLY_TOKEN_PERMISSIONS))
    if name == "token_of_b":
        secret = make_token(biobank_b, *TOKEN_GRANTABLE_PERMISSIONS)
        return Persona(name, bearer(secret), perms_elsewhere=frozenset(TOKEN_GRANTABLE_PERMISSIONS))
    raise AssertionError(f"unknown persona {name}")


@pytest.fixture(params=PERSONAS)
def persona(request, biobank_a, biobank_b) -> Persona:
    return make_persona(request.param, biobank_a, biobank_b)
