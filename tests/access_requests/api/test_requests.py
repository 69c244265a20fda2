"""The request API: list only what one may read, create and edit a draft (every bad field at once), and the
idempotent actions submit, withdraw, resubmit; a foreign request is 404."""

from __future__ import annotations

import pytest

from access_requests.choices import RequestStatus
from access_requests.models import AccessRequest
from access_requests.services.workflow import request_transition
from tests.access_requests.factories import make_committee, make_request, make_researcher
from tests.access_requests.wizard_factories import complete_draft, published_collection

pytestmark = pytest.mark.django_db
LIST = "/api/v1/access-requests/"


def url(pk: int, action: str = "") -> str:
    return f"{LIST}{pk}/" + (f"{action}/" if action else "")


def test_a_researcher_lists_only_their_requests(login, biobank_a):
    mine = make_researcher()
    make_request(mine, [biobank_a])
    make_request(make_researcher(), [biobank_a])
    body = login(mine).get(LIST).json()
    assert [row["researcher"] for row in body["results"]] == [mine.email]


def test_it_creates_a_draft_and_reports_every_bad_field(login, biobank_a):
    collection = published_collection(biobank_a)
    client = login(make_researcher())
    response = client.post(LIST, {"title": "T", "collections": [collection.pk]}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["resources"][0]["collections"] == [collection.pk]
    response = client.post(LIST, {"title": "", "duration_months": 0, "purpose_kind": "disease", "disease": ""},
                           format="json")  # fmt: skip
    assert response.status_code == 400
    pointers = {error.get("pointer") for error in response.json()["errors"]}
    assert {"/title", "/duration_months", "/disease"} <= pointers


def test_staff_cannot_create_requests(login, technician_a):
    assert login(technician_a).post(LIST, {"title": "T"}, format="json").status_code == 403


def test_patch_edits_and_a_foreign_request_is_404(login, biobank_a):
    researcher = make_researcher()
    request = make_request(researcher, [biobank_a])
    assert login(researcher).patch(url(request.pk), {"abstract": "New"}, format="json").json()["abstract"] == "New"
    other = login(make_researcher())
    assert other.get(url(request.pk)).status_code == 404
    assert other.patch(url(request.pk), {"abstract": "x"}, format="json").status_code == 404
    assert other.post(url(request.pk, "submit")).status_code == 404


def test_submit_is_idempotent(login, biobank_a):
    researcher = make_researcher()
    request = complete_draft(researcher, [published_collection(biobank_a)])
    client = login(researcher)
    first = client.post(url(request.pk, "submit"))
    assert first.status_code == 200 and first.json()["status"] == "submitted"
    again = client.post(url(request.pk, "submit"))
    assert again.status_code == 200 and again.json()["status"] == "submitted"
    assert AccessRequest.objects.get(pk=request.pk).events.filter(kind="request.submitted").count() == 1


def test_submit_lists_what_is_missing(login, biobank_a):
    researcher = make_researcher()
    request = make_request(researcher, [biobank_a])
    response = login(researcher).post(url(request.pk, "submit"))
    assert response.status_code == 400
    assert {"/ethics_reference", "/attachments"} <= {e.get("pointer") for e in response.json()["errors"]}


def test_withdraw_needs_a_reason_and_is_idempotent(login, biobank_a):
    researcher = make_researcher()
    request = make_request(researcher, [biobank_a], status=RequestStatus.SUBMITTED)
    client = login(researcher)
    assert client.post(url(request.pk, "withdraw"), {}, format="json").status_code == 400
    assert client.post(url(request.pk, "withdraw"), {"reason": "Ended"}, format="json").json()["status"] == "withdrawn"
    assert client.post(url(request.pk, "withdraw"), {"reason": "Ended"}, format="json").status_code == 200


def test_resubmit_after_changes(login, biobank_a):
    researcher = make_researcher()
    request = complete_draft(researcher, [published_collection(biobank_a)])
    client = login(researcher)
    client.post(url(request.pk, "submit"))
    request_transition(request=request, to=RequestStatus.UNDER_REVIEW, actor=None)
    request_transition(request=request, to=RequestStatus.CHANGES_REQUESTED, actor=None)
    assert client.post(url(request.pk, "resubmit")).json()["status"] == "under_review"
    assert client.post(url(request.pk, "resubmit")).status_code == 200


def test_a_reviewer_reads_the_submitted_request_but_cannot_act_for_the_researcher(login, biobank_a):
    _committee, chair, _members = make_committee(biobank_a)
    request = make_request(make_researcher(), [biobank_a], status=RequestStatus.SUBMITTED)
    client = login(chair)
    assert client.get(url(request.pk)).status_code == 200
    assert client.post(url(request.pk, "withdraw"), {"reason": "x"}, format="json").status_code == 403


def test_feasibility_is_rounded_for_the_researcher_and_exact_for_the_committee(login, biobank_a):
    from tests.access_requests.test_feasibility import donor_with

    collection = published_collection(biobank_a)
    for _ in range(3):
        donor_with(collection)
    researcher = make_researcher()
    request = complete_draft(researcher, [collection], purpose_kind="hmb", disease="")
    (row,) = login(researcher).get(url(request.pk, "feasibility")).json()
    assert (row["donors"], row["exact"]) == ("< 10", False)
    request_transition(request=request, to=RequestStatus.SUBMITTED, actor=researcher)
    _committee, chair, _members = make_committee(biobank_a)
    (row,) = login(chair).get(url(request.pk, "feasibility")).json()
    assert (row["donors"], row["exact"]) == ("3", True)


def test_the_list_takes_a_fixed_number_of_queries(login, biobank_a, biobank_b, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    researcher = make_researcher()
    client = login(researcher)
    make_request(researcher, [biobank_a])
    client.get(LIST)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    for _ in range(4):
        make_request(researcher, [biobank_a, biobank_b])
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(LIST).json()["results"]) == 5
    assert len(many) == len(few)
