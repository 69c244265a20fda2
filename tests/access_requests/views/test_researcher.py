"""The researcher's pages per role: "My requests" with what each waits for, the request page with its sections,
event log (no private committee entries) and slots; a foreign request is 404; the navigation link for researchers."""

from __future__ import annotations

import pytest
from django.urls import reverse

from access_requests.choices import RequestStatus, ResourceStatus
from access_requests.services.workflow import event_record
from tests.access_requests.factories import make_committee, make_request, make_researcher

pytestmark = pytest.mark.django_db
LIST = "/requests/"


def test_my_requests_say_what_each_waits_for(client, biobank_a):
    researcher = make_researcher()
    make_request(researcher, [biobank_a], title="Drafted")
    make_request(researcher, [biobank_a], status=RequestStatus.UNDER_REVIEW,
                 resource_status=ResourceStatus.CONDITIONS_INDICATED, title="Reviewed")  # fmt: skip
    make_request(make_researcher(), [biobank_a], title="Someone else's")
    client.force_login(researcher)
    text = client.get(LIST).content.decode()
    assert "Drafted" in text and "Reviewed" in text and "Someone else" not in text
    assert "waits for you to complete and submit it" in text
    assert "waits for you to accept the conditions" in text


def test_the_list_page_takes_a_fixed_number_of_queries(client, biobank_a, biobank_b, count_queries):
    researcher = make_researcher()
    client.force_login(researcher)
    make_request(researcher, [biobank_a])
    few = count_queries(LIST)
    for _ in range(4):
        make_request(researcher, [biobank_a, biobank_b])
    assert count_queries(LIST) == few


def test_the_request_page_shows_sections_log_and_slots_but_not_private_entries(client, biobank_a):
    researcher = make_researcher()
    request = make_request(researcher, [biobank_a], status=RequestStatus.UNDER_REVIEW)
    event_record(request=request, actor=None, kind="comment.private", data={"text": "secret"})
    client.force_login(researcher)
    response = client.get(reverse("access_requests:detail", args=[request.pk]))
    text = response.content.decode()
    assert response.status_code == 200
    assert request.title in text and "request.under_review" in text and "comment.private" not in text
    used = {t.name for t in response.templates}
    for slot in ("messages", "conditions_and_agreements", "releases_and_shipments", "reports"):
        assert f"access_requests/researcher/_slot_{slot}.html" in used
    assert "Withdraw" in text


def test_a_foreign_request_is_404_and_a_reviewer_reads_a_submitted_one(client, biobank_a, biobank_b):
    request = make_request(make_researcher(), [biobank_a], status=RequestStatus.SUBMITTED)
    url = reverse("access_requests:detail", args=[request.pk])
    client.force_login(make_researcher())
    assert client.get(url).status_code == 404
    _committee, chair, _members = make_committee(biobank_a)
    client.force_login(chair)
    assert client.get(url).status_code == 200
    _committee, chair_b, _members = make_committee(biobank_b)
    client.force_login(chair_b)
    assert client.get(url).status_code == 404


def test_withdrawing_from_the_page(client, biobank_a):
    researcher = make_researcher()
    request = make_request(researcher, [biobank_a], status=RequestStatus.SUBMITTED)
    client.force_login(researcher)
    url = reverse("access_requests:withdraw", args=[request.pk])
    client.post(url, {"reason": ""})
    request.refresh_from_db()
    assert request.status == RequestStatus.SUBMITTED
    client.post(url, {"reason": "No funding"})
    request.refresh_from_db()
    assert request.status == RequestStatus.WITHDRAWN


def test_researchers_see_the_access_requests_link_and_staff_do_not(client, technician_a):
    client.force_login(make_researcher())
    assert 'href="/requests/"' in client.get(LIST).content.decode()
    client.force_login(technician_a)
    assert 'href="/requests/"' not in client.get("/").content.decode()
