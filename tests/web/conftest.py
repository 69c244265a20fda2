"""Personas for the page tests, built through the real services (``count_queries`` lives in tests/conftest.py; the
catalog page tests have the same collections in tests/catalog/conftest.py)."""

from __future__ import annotations

import pytest

from tests.accounts.factories import UserFactory
from tests.catalog.factories import make_collection


@pytest.fixture
def researcher(db):
    from django.utils import timezone

    return UserFactory(email="researcher@example.org", is_researcher=True, email_verified_at=timezone.now())


@pytest.fixture
def donor(db):
    user = UserFactory(email="donor@example.org", is_donor=True)
    user.set_unusable_password()
    user.save()
    return user


@pytest.fixture
def collection_a(biobank_a):
    return make_collection(biobank_a, code="breast-2019", name="Breast cancer 2019", description="Tumour and blood.")


@pytest.fixture
def collection_b(biobank_b):
    return make_collection(biobank_b, code="liver", name="Liver cohort")


@pytest.fixture(scope="session")
def crawled_pages(django_db_setup, django_db_blocker):
    """Every page as every demo persona (tests/web/pages.py), crawled once for the CSP and the external-URL tests.

    The demo data live in a transaction rolled back after the crawl, as a test's own data would be.
    """
    from django.db import transaction

    from tests.web.pages import crawl, seed

    with django_db_blocker.unblock(), transaction.atomic():
        pages = crawl(seed())
        transaction.set_rollback(True)
    return pages
