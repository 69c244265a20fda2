"""The donors API's behaviour: PIDs with typos, filters, registration with its duplicate answer, the steward's
identity read, and a list whose query count does not grow with its rows."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from biobank.audit.models import AuditOutbox
from biobank.pseudonyms.checkchar import ALPHABET, check_char
from consent.models import Donor, DuplicateReview
from tests.accounts.factories import bearer, make_token

pytestmark = pytest.mark.django_db


def client_of(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def typo(pid: str) -> str:
    return pid[:-1] + next(c for c in ALPHABET if c != pid[-1])


def test_a_pid_with_a_wrong_check_character_is_a_400_that_says_so(donor_a, consent_officer_a):
    response = client_of(consent_officer_a).get(f"/api/v1/donors/{typo(donor_a.pid)}/")
    assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert "check character does not match" in problem["detail"] and "PID" in problem["detail"]
    assert problem["errors"][0]["pointer"] == "/pid"


def test_an_unknown_pid_is_a_404_and_the_display_and_canonical_forms_both_work(donor_a, consent_officer_a):
    client = client_of(consent_officer_a)
    unknown = "0000000001" + check_char("0000000001")
    assert client.get(f"/api/v1/donors/{unknown}/").status_code == 404
    for form in (donor_a.pid, donor_a.pid_display, donor_a.pid_display.lower()):
        response = client.get(f"/api/v1/donors/{form}/")
        assert response.status_code == 200 and response.json()["pid"] == donor_a.pid_display
    assert set(response.json()) == {
        "pid",
        "biobank",
        "sex",
        "birth_year",
        "birth_month",
        "status",
        "merged_into",
        "created_at",
        "asked_pid",
    }
    assert response.json()["asked_pid"] is None  # the current PID was asked


def test_the_list_filters_by_biobank_pid_and_status(register, donor_a, consent_officer_a):
    other = register(
        given_names="Paul",
        family_name="Weber",
        date_of_birth=date(1981, 11, 2),
        hospital_id="X-2",
        national_id="",
        email="",
    ).donor
    client = client_of(consent_officer_a)
    pids = lambda query: [row["pid"] for row in client.get(f"/api/v1/donors/?{query}").json()["results"]]  # noqa: E731
    assert pids("") == [donor_a.pid_display, other.pid_display]
    assert pids(f"pid={other.pid_display}") == [other.pid_display]
    assert pids("biobank=biobank-b") == []
    assert pids("status=merged") == []
    bad = client.get(f"/api/v1/donors/?pid={typo(other.pid)}")
    assert bad.status_code == 400 and bad.json()["errors"][0]["pointer"] == "/pid"
    assert client.get("/api/v1/donors/?status=asleep").status_code == 400


def test_registering_answers_201_with_only_pseudonymous_data(consent_officer_a, biobank_a):
    response = client_of(consent_officer_a).post(
        "/api/v1/donors/",
        {
            "biobank": "biobank-a",
            "given_names": "Paul",
            "family_name": "Weber",
            "date_of_birth": "1981-11-02",
            "sex": "male",
            "hospital_id": "MRN-777",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    donor = Donor.objects.get()
    assert response.json()["pid"] == donor.pid_display and response["Location"].endswith(
        f"/donors/{donor.pid_display}/"
    )
    assert "Weber" not in response.content.decode() and "MRN-777" not in response.content.decode()


def test_a_possible_duplicate_is_a_409_with_the_review_id_and_no_donor(donor_a, consent_officer_a):
    response = client_of(consent_officer_a).post(
        "/api/v1/donors/",
        {"biobank": "biobank-a", "given_names": "Jane Marie", "family_name": "Schmitt", "date_of_birth": "1970-07-03"},
        format="json",
    )
    assert response.status_code == 409 and response["Content-Type"] == "application/problem+json"
    problem = response.json()
    review = DuplicateReview.objects.get()
    assert problem["review_id"] == review.pk and "candidates" not in problem
    assert donor_a.pid_display not in response.content.decode()
    assert problem["type"] == "/api/problems/possible-duplicate"
    assert Donor.objects.count() == 1 and "Schmitt" not in response.content.decode()


@pytest.mark.parametrize(
    ("changes", "pointer", "words"),
    [
        ({"family_name": None}, "/family_name", "null"),
        ({"date_of_birth": "07.03.1970"}, "/date_of_birth", "Date has wrong format"),
        ({"date_of_birth": "2999-01-01"}, "/date_of_birth", "in the future"),
        ({"email": "nope"}, "/email", "not a valid e-mail"),
        ({"biobank": "biobank-b"}, "/biobank", "No biobank"),
        ({"nmae": "x"}, "/nmae", "Unknown or read-only field"),
    ],
)
def test_bad_registrations_are_400s_naming_the_field_and_write_nothing(
    consent_officer_a, biobank_b, changes, pointer, words
):
    body = {"biobank": "biobank-a", "given_names": "Paul", "family_name": "Weber", "date_of_birth": "1981-11-02"}
    response = client_of(consent_officer_a).post("/api/v1/donors/", {**body, **changes}, format="json")
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert any(e["pointer"] == pointer and words in e["message"] for e in errors), errors
    assert not Donor.objects.exists() and not DuplicateReview.objects.exists()


def test_the_identity_needs_a_reason_and_each_read_is_audited(donor_a, steward_a):
    client = client_of(steward_a)
    url = f"/api/v1/donors/{donor_a.pid_display}/identity/"
    for body in ({}, {"reason": ""}, {"reason": "   "}):
        response = client.post(url, body, format="json")
        assert response.status_code == 400 and response.json()["errors"][0]["pointer"] == "/reason"
    assert not AuditOutbox.objects.filter(action="donor.identity_view").exists()
    response = client.post(url, {"reason": "Recall for an incidental finding"}, format="json")
    assert response.status_code == 200
    assert response.json()["family_name"] == "Schmidt" and response.json()["date_of_birth"] == "1970-03-07"
    assert "no-store" in response["Cache-Control"]
    assert AuditOutbox.objects.get(action="donor.identity_view").reason == "Recall for an incidental finding"


def test_a_token_never_reads_an_identity(donor_a, biobank_a):
    client = bearer(make_token(biobank_a, "view_donors", "manage_consent"))
    response = client.post(f"/api/v1/donors/{donor_a.pid_display}/identity/", {"reason": "x"}, format="json")
    assert response.status_code == 403


@pytest.mark.parametrize("token", [False, True])
def test_the_list_costs_the_same_queries_for_three_donors_as_for_thirty(register, consent_officer_a, biobank_a, token):
    client = bearer(make_token(biobank_a, "view_donors")) if token else client_of(consent_officer_a)

    def count() -> int:
        client.get("/api/v1/donors/")
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/v1/donors/").status_code == 200
        return len(queries)

    for n in range(3):
        register(
            given_names=f"Person{n}",
            family_name=f"Family{n}",
            date_of_birth=date(1950 + n, 1, 1),
            hospital_id=f"H-{n}",
            national_id="",
            email="",
        )
    few = count()
    for n in range(3, 30):
        register(
            given_names=f"Person{n}",
            family_name=f"Family{n}",
            date_of_birth=date(1950 + n, 1, 1),
            hospital_id=f"H-{n}",
            national_id="",
            email="",
        )
    assert count() == few
    assert few == (2 if token else 3)  # session + user (or the token), then one query for the page
