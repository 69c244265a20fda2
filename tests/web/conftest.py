"""Personas for the page tests, built through the real services, and a helper that counts a page's queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog import services as catalog_services
from tests.factories import UserFactory


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
    return catalog_services.collection_create(
        actor=None, biobank=biobank_a, code="breast-2019", name="Breast cancer 2019", description="Tumour and blood."
    )


@pytest.fixture
def collection_b(biobank_b):
    return catalog_services.collection_create(actor=None, biobank=biobank_b, code="liver", name="Liver cohort")


@pytest.fixture
def count_queries(client):
    def run(url: str) -> int:
        """Queries of a warm request: the first one may also fill per-process caches (content types)."""
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, response.status_code
        return len(queries)

    return run


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
