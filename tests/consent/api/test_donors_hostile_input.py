"""Hostile input on the donor registry's pages and API is a clear 400, never a 500, and writes nothing (issue 9, 16).

Each case is one that answered 500 before: a NUL byte in ``?biobank=`` (PostgreSQL refuses NUL in text), JSON nested
100,000 levels deep (Python's parser runs out of stack), and ``?before=²`` (a digit to ``str.isdigit`` that ``int``
cannot read).
"""

from __future__ import annotations

import base64

import pytest
from rest_framework.test import APIClient

from biobank.audit.models import AuditOutbox
from consent.models import Donor
from tests.api.test_problems import assert_problem

pytestmark = pytest.mark.django_db


def client_of(user) -> APIClient:
    client = APIClient(raise_request_exception=False)
    client.force_login(user)
    return client


def test_a_nul_byte_in_the_biobank_parameter_of_a_donor_is_a_400_naming_it(donor_a, consent_officer_a):
    response = client_of(consent_officer_a).get(f"/api/v1/donors/{donor_a.pid_display}/?biobank=biobank-a%00")

    problem = assert_problem(response, 400, "malformed-request")
    assert "NUL" in problem["detail"]
    assert problem["errors"][0]["pointer"] == "/biobank"


def test_a_nul_byte_in_the_biobank_parameter_of_an_identity_read_is_a_400_and_nothing_is_read(donor_a, steward_a):
    url = f"/api/v1/donors/{donor_a.pid_display}/identity/?biobank=%00"
    response = client_of(steward_a).post(url, {"reason": "Recall for an incidental finding"}, format="json")

    assert_problem(response, 400, "malformed-request")
    assert not AuditOutbox.objects.filter(action="donor.identity_view").exists()


def test_a_registration_nested_100000_levels_deep_is_a_400_and_registers_nobody(consent_officer_a):
    body = '{"biobank": "biobank-a", "family_name": ' + "[" * 100_000 + "]" * 100_000 + "}"
    response = client_of(consent_officer_a).post("/api/v1/donors/", body, content_type="application/json")

    problem = assert_problem(response, 400, "malformed-request")
    assert "nested deeper than" in problem["detail"]
    assert not Donor.objects.exists()


def test_a_registration_nested_a_little_too_deep_is_refused_before_any_field_is_read(consent_officer_a):
    body = '{"biobank": "biobank-a", "family_name": ' + "[" * 40 + "]" * 40 + "}"
    response = client_of(consent_officer_a).post("/api/v1/donors/", body, content_type="application/json")

    assert "nested deeper than 32 levels" in assert_problem(response, 400, "malformed-request")["detail"]


def test_a_non_ascii_digit_as_the_page_position_of_the_donor_list_is_a_400_that_says_what_is_allowed(
    client, donor_a, consent_officer_a
):
    client.force_login(consent_officer_a)
    response = client.get("/consent/biobank-a/donors/", {"before": "²"})

    assert response.status_code == 400
    assert "before" in response.content.decode() and "0-9" in response.content.decode()
    assert client.get("/consent/biobank-a/donors/", {"before": "99999"}).status_code == 200


@pytest.mark.parametrize("position", ["²", "\x00"])
@pytest.mark.parametrize("url", ["/api/v1/donors/", "/api/v1/biobanks/"])
def test_a_cursor_hiding_a_non_ascii_digit_or_a_nul_byte_is_a_400_naming_the_cursor(
    donor_a, consent_officer_a, url, position
):
    """The NUL check of the query string cannot see inside the base64 of a cursor; the paginator answers for it."""
    cursor = base64.b64encode(f"p={position}".encode()).decode()
    response = client_of(consent_officer_a).get(url, {"cursor": cursor})

    assert assert_problem(response, 400, "validation-error")["errors"][0]["pointer"] == "/cursor"
