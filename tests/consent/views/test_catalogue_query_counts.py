"""Query counts of the consent list pages do not grow with the number of rows (3 rows and 30 rows: same count)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from biobank.accounts.choices import Role
from consent import services
from consent.models import Policy
from tests.accounts.factories import make_member
from tests.consent.factories import make_catalogue, make_donor, record, texts

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(biobank_a):
    return make_member(biobank_a, Role.CONSENT_OFFICER, email="officer@example.org")


@pytest.fixture
def count_queries(client, officer):
    client.force_login(officer)

    def run(url: str, expect: str) -> int:
        """Queries of a warm request (the first one may fill per-process caches such as content types)."""
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        assert expect in response.content.decode()  # the rows are really on the page
        return len(queries)

    return run


def counts_for(add_rows: Callable[[int, int], None], url: str, expect: Callable[[int], str], count_queries) -> list:
    add_rows(0, 3)
    few = count_queries(url, expect(2))
    add_rows(3, 30)
    return [few, count_queries(url, expect(29))]


def _policy(biobank, actor, number: int) -> Policy:
    return services.policy_create(
        actor=actor,
        biobank=biobank,
        code=f"policy-{number}",
        name=f"Policy {number}",
        action="use",
        data_class="biomaterial",
        duo_terms=["HMB", "PUB"],
        validity="P5Y",
    )


def test_the_policy_list_query_count_does_not_grow(biobank_a, officer, count_queries):
    def add(start: int, stop: int) -> None:
        for number in range(start, stop):
            _policy(biobank_a, officer, number)

    few, many = counts_for(add, "/consent/biobank-a/policies/", lambda n: f"policy-{n}", count_queries)

    assert few == many


def test_the_module_list_query_count_does_not_grow(biobank_a, officer, count_queries):
    policies = [_policy(biobank_a, officer, number) for number in range(2)]
    parent = services.module_create(
        actor=officer, biobank=biobank_a, code="parent", texts=texts("Parent", "P."), policies=policies
    )

    def add(start: int, stop: int) -> None:
        for number in range(start, stop):
            services.module_create(
                actor=officer,
                biobank=biobank_a,
                code=f"module-{number}",
                texts=texts(f"Module {number}", "Text."),
                policies=policies,
                parent=parent if number % 2 else None,
            )

    few, many = counts_for(add, "/consent/biobank-a/modules/", lambda n: f"Module {n}", count_queries)

    assert few == many


def test_the_template_list_query_count_does_not_grow(biobank_a, officer, count_queries):
    policy = _policy(biobank_a, officer, 0)
    module = services.module_create(
        actor=officer, biobank=biobank_a, code="data", texts=texts("Data", "D."), policies=[policy]
    )

    def add(start: int, stop: int) -> None:
        for number in range(start, stop):
            services.template_create(
                actor=officer,
                biobank=biobank_a,
                code=f"form-{number}",
                version_label="v1",
                texts=texts(f"Form {number}", "I agree."),
                modules=[module],
            )

    few, many = counts_for(add, "/consent/biobank-a/templates/", lambda n: f"form-{n}", count_queries)

    assert few == many


def test_the_donor_pages_consents_section_query_count_does_not_grow(biobank_a, officer, count_queries):
    # The portal has no per-biobank consent list; a donor's consents are listed on the donor page.
    template = make_catalogue(biobank_a, actor=officer)
    donor = make_donor(biobank_a)
    consents = []

    def add(start: int, stop: int) -> None:
        consents.extend(record(officer, donor, template) for _ in range(start, stop))

    url = f"/consent/biobank-a/donors/{donor.pid}/"
    few, many = counts_for(add, url, lambda n: f"/consent/biobank-a/consents/{consents[n].pk}/", count_queries)

    assert few == many
