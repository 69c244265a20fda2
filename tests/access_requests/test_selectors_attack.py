"""Adversarial black-box probes of issue 14's "Bad input and abuse" (and items 8a, 11): the portal driven through its
REST API and browser URLs as the wrong people. Each probe asserts the refusal (404 for what one may not see, 403 with
a reason for what one sees but may not do, 409 out of order, 410 an expired link), a clear problem+json message, and
that nothing changed (statuses, votes, events, entitlements, downloads counted before and after)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.utils import timezone

from access_requests.choices import (
    AttachmentKind,
    DecisionOutcome,
    RequestStatus,
    ResourceStatus,
    TeamRole,
    VoteValue,
)
from access_requests.models import (
    AccessRequest,
    CommitteeComment,
    ConflictDeclaration,
    Decision,
    Download,
    DownloadLink,
    Entitlement,
    RequestEvent,
    RequestMessage,
    RequestResource,
    TeamMember,
    Vote,
)
from access_requests.services.attachments import attachment_add
from access_requests.services.decisions import resource_decide
from access_requests.services.downloads import download_link_create
from access_requests.services.entitlements import entitlement_revoke
from access_requests.services.messages import message_post
from access_requests.services.review import comment_add, vote_cast
from tests.access_requests.committee_factories import make_review
from tests.access_requests.factories import make_committee, make_request, make_researcher
from tests.access_requests.fulfil_factories import built_release, decider, setup_world

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def state() -> dict:
    """Everything a refused action must leave alone."""
    return {
        "requests": sorted(AccessRequest.objects.values_list("pk", "status")),
        "resources": sorted(RequestResource.objects.values_list("pk", "status")),
        "votes": sorted(Vote.objects.values_list("pk", "value", "rationale")),
        "events": RequestEvent.objects.count(),
        "entitlements": sorted(Entitlement.objects.values_list("pk", "ends_on", "revoked_at")),
        "downloads": Download.objects.count(),
        "links": DownloadLink.objects.count(),
        "messages": RequestMessage.objects.count(),
        "decisions": Decision.objects.count(),
        "conflicts": ConflictDeclaration.objects.count(),
        "comments": CommitteeComment.objects.count(),
    }


def api(request, verb=""):
    return f"/api/v1/access-requests/{request.pk}/{verb}"


def problem(response, status: int, *words: str) -> str:
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/problem+json"), response["Content-Type"]
    detail = response.json().get("detail", "")
    assert detail and len(detail) > 10, response.json()
    for word in words:
        assert word.lower() in detail.lower(), detail
    return detail


def vote_body(resource, value="approve"):
    return {"resource": resource.pk, "value": value, "rationale": "Probe"}


# --- reading another researcher's request -----------------------------------------------------------------------


def test_another_researcher_reads_nothing_of_a_request(biobank_a, login):
    review = make_review(biobank_a)
    other = login(make_researcher())
    before = state()
    problem(other.get(api(review.request)), 404)
    for verb in ("feasibility/", "messages", "releases", "shipments"):
        problem(other.get(api(review.request, verb)), 404)
    assert other.get(f"/requests/{review.request.pk}/").status_code == 404
    assert other.get(f"/requests/{review.request.pk}/releases/").status_code == 404
    assert review.request.number not in str(other.get("/api/v1/access-requests/").json())
    assert state() == before


def test_another_researcher_acts_on_nothing(biobank_a, login):
    draft = make_request(make_researcher(), [biobank_a])
    other = login(make_researcher())
    before = state()
    problem(other.post(api(draft, "submit/"), format="json"), 404)
    problem(other.post(api(draft, "withdraw/"), {"reason": "mine now"}, format="json"), 404)
    problem(other.patch(api(draft), {"title": "Hijacked"}, format="json"), 404)
    assert other.post(f"/requests/{draft.pk}/withdraw/", {"reason": "x"}).status_code == 404
    assert other.get(f"/requests/{draft.pk}/edit/project/").status_code == 404
    assert state() == before
    draft.refresh_from_db()
    assert draft.title != "Hijacked"


def test_unconfirmed_co_applicant_sees_nothing_confirmed_one_reads(biobank_a, login):
    researcher = make_researcher()
    request = make_request(researcher, [biobank_a], status=RequestStatus.SUBMITTED)
    pending, confirmed = make_researcher(), make_researcher()
    TeamMember.objects.create(request=request, name="P", email=pending.email, role=TeamRole.CO_APPLICANT, user=pending)
    TeamMember.objects.create(
        request=request,
        name="C",
        email=confirmed.email,
        role=TeamRole.CO_APPLICANT,
        user=confirmed,
        confirmed_at=timezone.now(),
    )
    before = state()
    problem(login(pending).get(api(request)), 404)
    assert login(pending).get(f"/requests/{request.pk}/").status_code == 404
    assert login(confirmed).get(api(request)).status_code == 200
    # the confirmed co-applicant reads but is not the applicant: withdrawing is the researcher's
    response = login(confirmed).post(api(request, "withdraw/"), {"reason": "I quit"}, format="json")
    assert response.status_code in (403, 404), response.content
    assert state() == before


def test_anonymous_and_a_biobank_token_read_no_request(biobank_a, api_client, token_client):
    review = make_review(biobank_a)
    before = state()
    assert api_client.get(api(review.request)).status_code in (401, 403)
    assert api_client.post(api(review.request, "vote"), vote_body(review.resource), format="json").status_code in (
        401,
        403,
    )
    token = token_client(biobank_a, "view_biobank", "view_specimens", "manage_catalog", "view_donors")
    assert token.get(api(review.request)).status_code in (403, 404)
    assert token.post(api(review.request, "vote"), vote_body(review.resource), format="json").status_code in (403, 404)
    assert token.post(api(review.request, "review-start"), format="json").status_code in (403, 404)
    assert state() == before


# --- voting: another biobank, recused, after the decision, twice, id confusion -------------------------------------


def test_member_of_another_biobank_votes_404(biobank_a, biobank_b, login):
    review = make_review(biobank_a)
    _, chair_b, members_b = make_committee(biobank_b)
    before = state()
    for person in (chair_b, members_b[0]):
        problem(login(person).post(api(review.request, "vote"), vote_body(review.resource), format="json"), 404)
        problem(login(person).get(api(review.request)), 404)
        assert login(person).get(f"/requests/review/{review.resource.pk}/").status_code == 404
    assert state() == before


def test_a_reviewer_of_a_b_votes_only_on_b_resource(biobank_a, biobank_b, login):
    """A two-biobank request: biobank B's chair reads it but may not vote on biobank A's resource."""
    review = make_review(biobank_a, extra_biobanks=[biobank_b])
    _, chair_b, _ = make_committee(biobank_b)
    before = state()
    problem(login(chair_b).post(api(review.request, "vote"), vote_body(review.resource), format="json"), 404)
    problem(
        login(chair_b).post(
            api(review.request, "decide"),
            {"resource": review.resource.pk, "outcome": "rejected", "rationale": "x"},
            format="json",
        ),
        404,
    )
    assert state() == before


def test_recused_member_cannot_vote(biobank_a, login):
    review = make_review(biobank_a, declare=False)
    member = review.members[0]
    assert (
        login(member)
        .post(api(review.request, "conflict"), {"has_conflict": True, "statement": "My spouse"}, format="json")
        .status_code
        == 201
    )
    before = state()
    detail = problem(login(member).post(api(review.request, "vote"), vote_body(review.resource), format="json"), 403)
    assert "conflict" in detail.lower() or "recus" in detail.lower(), detail
    # nor be assigned
    response = login(review.chair).post(
        api(review.request, "assign"), {"resource": review.resource.pk, "reviewer": member.pk}, format="json"
    )
    assert response.status_code in (400, 403)  # the reviewer field is invalid: a recused member
    problem(response, response.status_code, "recused")
    # nor withdraw the declaration by declaring again
    problem(login(member).post(api(review.request, "conflict"), {"has_conflict": False}, format="json"), 409)
    assert state() == before


def test_undeclared_member_cannot_vote(biobank_a, login):
    review = make_review(biobank_a, declare=False)
    before = state()
    response = login(review.members[0]).post(api(review.request, "vote"), vote_body(review.resource), format="json")
    assert response.status_code in (403, 409)
    problem(response, response.status_code, "conflict")
    assert state() == before


def test_vote_after_decision_is_refused(biobank_a, login):
    review = make_review(biobank_a, members=3)
    for person in review.members[:2]:
        vote_cast(actor=person, resource=review.resource, value=VoteValue.REJECT, rationale="No")
    resource_decide(actor=review.chair, resource=review.resource, outcome=DecisionOutcome.REJECTED, rationale="No")
    before = state()
    response = login(review.members[2]).post(api(review.request, "vote"), vote_body(review.resource), format="json")
    assert response.status_code in (403, 409)
    detail = problem(response, response.status_code)
    assert "decid" in detail.lower() or "reject" in detail.lower() or "status" in detail.lower(), detail
    # and a second decision
    response = login(review.chair).post(
        api(review.request, "decide"),
        {"resource": review.resource.pk, "outcome": "approved", "rationale": "Changed mind"},
        format="json",
    )
    assert response.status_code in (403, 409)
    problem(response, response.status_code)
    assert state() == before


def test_changing_a_vote_is_409(biobank_a, login):
    review = make_review(biobank_a)
    member = login(review.members[0])
    assert member.post(api(review.request, "vote"), vote_body(review.resource), format="json").status_code == 201
    before = state()
    problem(member.post(api(review.request, "vote"), vote_body(review.resource, "reject"), format="json"), 409)
    assert state() == before
    assert Vote.objects.get().value == VoteValue.APPROVE


def test_replay_with_the_same_idempotency_key(biobank_a, login):
    review = make_review(biobank_a)
    member = login(review.members[0])
    first = member.post(
        api(review.request, "vote"), vote_body(review.resource), format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert first.status_code == 201
    before = state()
    replay = member.post(
        api(review.request, "vote"), vote_body(review.resource), format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert replay.status_code == 201 and replay.json() == first.json()
    assert replay["Idempotent-Replayed"] == "true"
    assert state() == before
    # the same key with another body is not silently replayed as if it were the first
    other = member.post(
        api(review.request, "vote"), vote_body(review.resource, "reject"), format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert other.status_code in (409, 422), other.content
    assert state() == before


def test_idempotency_key_of_another_user_is_not_replayed_to_them(biobank_a, login):
    review = make_review(biobank_a)
    first = login(review.members[0]).post(
        api(review.request, "vote"), vote_body(review.resource), format="json", HTTP_IDEMPOTENCY_KEY="shared"
    )
    assert first.status_code == 201
    second = login(review.members[1]).post(
        api(review.request, "vote"), vote_body(review.resource), format="json", HTTP_IDEMPOTENCY_KEY="shared"
    )
    assert second.status_code == 201 and second.get("Idempotent-Replayed") != "true"
    assert Vote.objects.filter(resource=review.resource).count() == 2


def test_replayed_submit_and_review_start(biobank_a, login):
    _, chair, _ = make_committee(biobank_a)
    request = make_request(make_researcher(), [biobank_a], status=RequestStatus.SUBMITTED)
    first = login(chair).post(api(request, "review-start"), HTTP_IDEMPOTENCY_KEY="rs")
    assert first.status_code == 200
    before = state()
    again = login(chair).post(api(request, "review-start"), HTTP_IDEMPOTENCY_KEY="rs")
    assert again.status_code == 200 and again.json() == first.json()
    assert state() == before


def test_vote_through_my_request_on_a_resource_of_another(biobank_a, login):
    mine = make_review(biobank_a)
    other_request = make_request(
        make_researcher(), [biobank_a], status=RequestStatus.UNDER_REVIEW, resource_status=ResourceStatus.AVAILABLE
    )
    other_resource = other_request.resources.get()
    before = state()
    for verb, body in (
        ("vote", vote_body(other_resource)),
        ("assign", {"resource": other_resource.pk, "reviewer": mine.members[0].pk}),
        ("decide", {"resource": other_resource.pk, "outcome": "rejected", "rationale": "x"}),
    ):
        actor = mine.members[0] if verb == "vote" else mine.chair
        problem(login(actor).post(api(mine.request, verb), body, format="json"), 404)
    assert state() == before


# --- transitions out of order, withdrawn and rejected requests ----------------------------------------------------


def test_transitions_out_of_order_are_409(biobank_a, login):
    review = make_review(biobank_a)
    before = state()
    # submit of a request already under review: the verb's effect holds, answered idempotently (200, unchanged)
    response = login(review.researcher).post(api(review.request, "submit/"), format="json")
    assert response.status_code in (200, 409)
    assert response.status_code == 409 or response.json()["status"] == RequestStatus.UNDER_REVIEW
    problem(login(review.chair).post(api(review.request, "review-start"), format="json"), 409)
    assert state() == before


def test_decide_on_a_contacted_resource_is_409(biobank_a, login):
    review = make_review(biobank_a, resource_status=ResourceStatus.CHECKING_AVAILABILITY)
    before = state()
    response = login(review.chair).post(
        api(review.request, "decide"),
        {"resource": review.resource.pk, "outcome": "rejected", "rationale": "x"},
        format="json",
    )
    problem(response, 409)
    response = login(review.members[0]).post(api(review.request, "vote"), vote_body(review.resource), format="json")
    problem(response, 409)
    assert state() == before


def test_withdrawn_request_refuses_every_action(biobank_a, login):
    _, chair, members = make_committee(biobank_a)
    researcher = make_researcher()
    request = make_request(researcher, [biobank_a], status=RequestStatus.SUBMITTED)
    assert login(researcher).post(api(request, "withdraw/"), {"reason": "Done"}, format="json").status_code == 200
    before = state()
    again = login(researcher).post(api(request, "withdraw/"), {"reason": "Again"}, format="json")
    assert again.status_code == 200 and again.json()["status"] == RequestStatus.WITHDRAWN  # idempotent
    problem(login(researcher).post(api(request, "resubmit/"), format="json"), 409)
    response = login(chair).post(api(request, "review-start"), format="json")
    assert response.status_code in (404, 409)
    problem(response, response.status_code)
    response = login(members[0]).post(api(request, "vote"), vote_body(request.resources.get()), format="json")
    assert response.status_code in (403, 404, 409)
    problem(response, response.status_code)
    assert state() == before


def test_submit_of_a_withdrawn_request_is_409(biobank_a, login):
    researcher = make_researcher()
    request = make_request(researcher, [biobank_a], status=RequestStatus.SUBMITTED)
    assert login(researcher).post(api(request, "withdraw/"), {"reason": "Done"}, format="json").status_code == 200
    before = state()
    problem(login(researcher).post(api(request, "submit/"), format="json"), 409, "withdrawn")
    assert state() == before


def test_rejected_request_refuses_grant_accept_and_votes(biobank_a, login):
    review = make_review(biobank_a, members=2)
    for person in review.members:
        vote_cast(actor=person, resource=review.resource, value=VoteValue.REJECT, rationale="No")
    resource_decide(actor=review.chair, resource=review.resource, outcome=DecisionOutcome.REJECTED, rationale="No")
    review.request.refresh_from_db()
    assert review.request.status == RequestStatus.REJECTED
    before = state()
    for person, verb, body in (
        (review.chair, "grant", {"resource": review.resource.pk}),
        (
            review.researcher,
            "accept-conditions",
            {"resource": review.resource.pk, "role": "researcher", "name": "R", "confirm": True},
        ),
        (review.researcher, "resubmit/", {}),
        (review.chair, "changes-request", {"reason": "More"}),
    ):
        response = login(person).post(api(review.request, verb), body, format="json")
        assert response.status_code in (403, 409), (verb, response.status_code, response.content)
        problem(response, response.status_code)
    assert state() == before


def test_a_member_cannot_decide_nor_ask_changes(biobank_a, login):
    review = make_review(biobank_a)
    before = state()
    problem(
        login(review.members[0]).post(
            api(review.request, "decide"),
            {"resource": review.resource.pk, "outcome": "rejected", "rationale": "x"},
            format="json",
        ),
        403,
    )
    problem(login(review.members[0]).post(api(review.request, "changes-request"), {"reason": "x"}, format="json"), 403)
    assert state() == before


def test_auditor_reads_but_does_not_vote(biobank_a, auditor_a, login):
    review = make_review(biobank_a)
    before = state()
    response = login(auditor_a).post(api(review.request, "vote"), vote_body(review.resource), format="json")
    assert response.status_code in (403, 404)
    problem(response, response.status_code)
    assert state() == before


# --- messages and committee comments ------------------------------------------------------------------------------


def test_private_message_to_another_biobank_is_not_read(biobank_a, biobank_b, login):
    _, chair_a, members_a = make_committee(biobank_a)
    _, chair_b, _ = make_committee(biobank_b)
    researcher = make_researcher()
    request = make_request(researcher, [biobank_a, biobank_b], status=RequestStatus.UNDER_REVIEW)
    message_post(actor=researcher, request=request, body="Secret for B", audience="biobank", biobank=biobank_b)
    for person in (chair_a, members_a[0]):
        body = str(login(person).get(api(request, "messages")).json())
        assert "Secret for B" not in body
        assert "Secret for B" not in login(person).get(f"/requests/{request.pk}/").content.decode()
        review_page = login(person).get(f"/requests/review/{request.resources.get(biobank=biobank_a).pk}/")
        assert "Secret for B" not in review_page.content.decode()
    assert "Secret for B" in str(login(chair_b).get(api(request, "messages")).json())
    before = state()
    response = login(chair_a).post(
        api(request, "messages"), {"body": "As B", "audience": "biobank", "biobank": biobank_b.code}, format="json"
    )
    problem(response, 400 if response.status_code == 400 else 422)
    assert state() == before


def test_researcher_never_reads_committee_comments(biobank_a, login):
    review = make_review(biobank_a)
    comment_add(actor=review.chair, resource=review.resource, text="Weak design, reject quietly")
    client = login(review.researcher)
    assert client.get(f"/requests/review/{review.resource.pk}/").status_code == 404
    for url in (
        api(review.request),
        api(review.request, "messages"),
        f"/requests/{review.request.pk}/",
        f"/requests/{review.request.pk}/access/",
    ):
        response = client.get(url)
        assert "reject quietly" not in response.content.decode(), url


# --- IDOR on files: attachments, letters, compliance PDF, packing lists ------------------------------------------


def test_attachment_of_another_request(biobank_a, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    owner = make_researcher()
    request = make_request(owner, [biobank_a])
    attachment = attachment_add(
        actor=owner, request=request, kind=AttachmentKind.ETHICS_APPROVAL, file=ContentFile(PDF, name="ek.pdf")
    )
    attacker = make_researcher()
    own = make_request(attacker, [biobank_a])
    client = login(attacker)
    assert client.get(f"/requests/{request.pk}/attachments/{attachment.pk}/").status_code == 404
    assert client.get(f"/requests/{own.pk}/attachments/{attachment.pk}/").status_code == 404
    assert login(owner).get(f"/requests/{request.pk}/attachments/{attachment.pk}/").status_code == 200
    # staff of the biobank on a draft: not theirs to read yet
    _, chair, _ = make_committee(biobank_a)
    assert login(chair).get(f"/requests/{request.pk}/attachments/{attachment.pk}/").status_code == 404


def test_decision_letter_of_another_request(biobank_a, biobank_b, login):
    review = make_review(biobank_a)
    for person in review.members:
        vote_cast(actor=person, resource=review.resource, value=VoteValue.REJECT, rationale="No")
    resource_decide(actor=review.chair, resource=review.resource, outcome=DecisionOutcome.REJECTED, rationale="No")
    assert login(review.researcher).get(f"/requests/review/{review.resource.pk}/letter.pdf").status_code == 200
    _, chair_b, _ = make_committee(biobank_b)
    for person in (make_researcher(), chair_b):
        assert login(person).get(f"/requests/review/{review.resource.pk}/letter.pdf").status_code == 404


def test_compliance_pdf_of_another_request(biobank_a, biobank_b, auditor_b, login):
    review = make_review(biobank_a)
    _, chair_b, _ = make_committee(biobank_b)
    before = state()
    for person in (make_researcher(), chair_b, auditor_b):
        assert login(person).get(f"/requests/{review.request.pk}/compliance.pdf").status_code == 404
    response = login(review.researcher).get(f"/requests/{review.request.pk}/compliance.pdf")
    assert response.status_code in (200, 403)
    assert state()["events"] == before["events"]


def test_packing_list_and_fulfilment_of_another_biobank(biobank_a, biobank_b, login, outsider):
    resource, _, _ = setup_world(biobank_a, donors=1)
    before = state()
    for person in (outsider, resource.request.researcher, make_researcher()):
        assert login(person).get(f"/requests/fulfilment/{resource.pk}/").status_code == 404
        assert login(person).post(f"/requests/fulfilment/{resource.pk}/", {"action": "build"}).status_code == 404
    assert state() == before


# --- downloads: another's link, another's release, expiry, revocation ----------------------------------------------


@pytest.fixture
def ready(biobank_a, django_capture_on_commit_callbacks):
    resource, _, _ = setup_world(biobank_a, donors=2)
    release = built_release(resource, django_capture_on_commit_callbacks)
    return resource, release


def test_download_link_of_another_users_release(ready, login):
    resource, release = ready
    before = state()
    for person in (make_researcher(), decider(resource.biobank)):
        problem(login(person).post(f"/api/v1/releases/{release.pk}/download-link"), 404)
    assert state() == before


def test_download_token_of_another_user(ready, login):
    resource, release = ready
    _link, token = download_link_create(actor=resource.request.researcher, release=release)
    before = state()
    thief = login(make_researcher())
    assert thief.get(f"/requests/download/{token}/csv").status_code == 404
    assert login(decider(resource.biobank)).get(f"/requests/download/{token}/csv").status_code == 404
    assert state() == before
    assert login(resource.request.researcher).get(f"/requests/download/{token}/csv").status_code == 200
    assert state()["downloads"] == before["downloads"] + 1


def test_download_after_expiry_is_410(ready, login):
    resource, release = ready
    _link, token = download_link_create(actor=resource.request.researcher, release=release)
    before = state()
    with time_machine.travel(timezone.now() + timedelta(days=8), tick=False):
        response = login(resource.request.researcher).get(f"/requests/download/{token}/csv")
        assert response.status_code == 410
        assert "expired" in response.content.decode().lower()
    assert state() == before


def test_download_after_revocation_is_refused(ready, login):
    resource, release = ready
    researcher = resource.request.researcher
    _link, token = download_link_create(actor=researcher, release=release)
    entitlement_revoke(actor=decider(resource.biobank), reason="Breach of the agreement", resource=resource)
    before = state()
    response = login(researcher).get(f"/requests/download/{token}/csv")
    assert response.status_code == 403
    assert "revoked" in response.content.decode().lower()
    problem(login(researcher).post(f"/api/v1/releases/{release.pk}/download-link"), 403, "revoked")
    assert state() == before


def test_download_after_entitlement_end(ready, login):
    resource, release = ready
    researcher = resource.request.researcher
    Entitlement.objects.filter(resource=resource).update(ends_on=timezone.localdate() + timedelta(days=2))
    _link, token = download_link_create(actor=researcher, release=release)
    before = state()
    with time_machine.travel(timezone.now() + timedelta(days=4), tick=False):
        response = login(researcher).get(f"/requests/download/{token}/csv")
        assert response.status_code in (403, 410)
    assert state() == before


def test_download_of_unknown_file_and_anonymous(ready, client, login):
    resource, release = ready
    _link, token = download_link_create(actor=resource.request.researcher, release=release)
    before = state()
    assert login(resource.request.researcher).get(f"/requests/download/{token}/..%2Fsettings").status_code == 404
    response = client.get(f"/requests/download/{token}/csv")
    assert response.status_code in (302, 401, 403)
    assert state() == before


# --- second batch: browser actions, entitlements, shipments, audit of downloads ------------------------------------


def test_browser_vote_by_another_biobank_and_by_the_researcher(biobank_a, biobank_b, login):
    review = make_review(biobank_a)
    _, _, members_b = make_committee(biobank_b)
    before = state()
    for person in (members_b[0], review.researcher, make_researcher()):
        response = login(person).post(
            f"/requests/review/{review.resource.pk}/vote/", {"value": "approve", "rationale": "x"}
        )
        assert response.status_code == 404, (person, response.status_code)
    assert state() == before


def test_browser_vote_while_recused_changes_nothing(biobank_a, login):
    review = make_review(biobank_a, declare=False)
    member = review.members[0]
    login(member).post(api(review.request, "conflict"), {"has_conflict": True, "statement": "Co-author"}, format="json")
    before = state()
    response = login(member).post(
        f"/requests/review/{review.resource.pk}/vote/", {"value": "approve", "rationale": "x"}
    )
    assert response.status_code in (400, 403, 409), response.status_code
    assert state() == before


def test_invalid_vote_value_is_400(biobank_a, login):
    review = make_review(biobank_a)
    before = state()
    response = login(review.members[0]).post(
        api(review.request, "vote"), vote_body(review.resource, "maybe"), format="json"
    )
    problem(response, 400)
    assert state() == before


def test_entitlement_verbs_by_the_wrong_people(ready, biobank_b, login):
    resource, _release = ready
    request = resource.request
    _, chair_b, _ = make_committee(biobank_b)
    before = state()
    for person, expected in ((make_researcher(), 404), (chair_b, 404), (request.researcher, 403)):
        response = login(person).post(
            api(request, "revoke"), {"resource": resource.pk, "reason": "Because"}, format="json"
        )
        problem(response, expected)
    problem(login(make_researcher()).post(api(request, "close"), format="json"), 404)
    problem(login(make_researcher()).post(api(request, "renew"), {"until": "2027-12-01"}, format="json"), 404)
    problem(login(chair_b).post(api(request, "grant"), {"resource": resource.pk}, format="json"), 404)
    assert state() == before


def test_release_build_by_the_researcher_or_another_biobank(ready, biobank_b, outsider, login):
    resource, _release = ready
    from access_requests.models import Release

    releases = Release.objects.count()
    before = state()
    response = login(resource.request.researcher).post(
        api(resource.request, "releases"), {"resource": resource.pk}, format="json"
    )
    assert response.status_code in (403, 404)
    problem(response, response.status_code)
    problem(login(outsider).post(api(resource.request, "releases"), {"resource": resource.pk}, format="json"), 404)
    assert Release.objects.count() == releases and state() == before


def test_download_link_for_anothers_release_through_my_request_page(
    ready, biobank_a, login, django_capture_on_commit_callbacks
):
    _resource, release = ready
    mine, _, _ = setup_world(biobank_a, donors=1)
    before = state()
    response = login(mine.request.researcher).post(
        f"/requests/{mine.request.pk}/releases/", {"action": "link", "release": release.pk}
    )
    assert response.status_code == 404
    assert state() == before


def test_every_download_is_audited(ready, login):
    from biobank.audit.models import AuditEvent, AuditOutbox

    resource, release = ready
    _link, token = download_link_create(actor=resource.request.researcher, release=release)
    audit_before = AuditEvent.objects.count() + AuditOutbox.objects.count()
    events = RequestEvent.objects.filter(kind="release.downloaded").count()
    for file in ("csv", "xlsx", "dictionary"):
        assert login(resource.request.researcher).get(f"/requests/download/{token}/{file}").status_code == 200
    assert Download.objects.filter(release=release).count() == 3
    assert RequestEvent.objects.filter(kind="release.downloaded").count() == events + 3
    assert AuditEvent.objects.count() + AuditOutbox.objects.count() >= audit_before + 3


def test_shipment_verbs_by_the_researcher_and_packing_list(ready, technician_a, login):
    resource, _release = ready
    from access_requests.services.shipments import shipment_prepare

    shipment = shipment_prepare(actor=technician_a, resource=resource, count=1, address="Lab 3, Solna")
    before = state()
    researcher = login(resource.request.researcher)
    for verb in ("ship", "return", "consume", "cancel"):
        response = researcher.post(f"/api/v1/shipments/{shipment.pk}/{verb}", {"courier_reference": "X"}, format="json")
        assert response.status_code in (403, 409), (verb, response.status_code, response.content[:300])
        problem(response, response.status_code)
    shipment.refresh_from_db()
    assert shipment.status == "prepared"
    for person in (resource.request.researcher, make_researcher()):
        assert login(person).get(f"/requests/fulfilment/shipments/{shipment.pk}/packing-list.pdf").status_code == 404
    problem(login(make_researcher()).post(f"/api/v1/shipments/{shipment.pk}/receive"), 404)
    assert state() == before


def test_anonymous_browser_pages_redirect_to_login(ready, client):
    resource, _release = ready
    request = resource.request
    for url in (
        f"/requests/{request.pk}/",
        f"/requests/{request.pk}/releases/",
        f"/requests/review/{resource.pk}/",
        f"/requests/{request.pk}/compliance.pdf",
        f"/requests/fulfilment/{resource.pk}/",
    ):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"], url


def test_notification_of_another_user(biobank_a, login):
    from access_requests.models import Notification

    review = make_review(biobank_a)
    owner = review.researcher
    event = RequestEvent.objects.filter(request=review.request).first()
    note = Notification.objects.create(user=owner, request=review.request, event=event, text="Private", url="/")
    assert login(make_researcher()).post(f"/requests/notifications/{note.pk}/open/").status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_inactive_seat_cannot_vote(biobank_a, login):
    from access_requests.models import CommitteeMember

    review = make_review(biobank_a)
    CommitteeMember.objects.filter(user=review.members[0]).update(active=False)
    before = state()
    response = login(review.members[0]).post(api(review.request, "vote"), vote_body(review.resource), format="json")
    assert response.status_code in (403, 404)
    problem(response, response.status_code)
    assert state() == before


def test_vote_while_changes_are_requested(biobank_a, login):
    review = make_review(biobank_a, members=2)
    assert (
        login(review.chair).post(api(review.request, "changes-request"), {"reason": "Add ethics"}, format="json")
    ).status_code == 200
    before = state()
    response = login(review.members[0]).post(api(review.request, "vote"), vote_body(review.resource), format="json")
    assert response.status_code == 409, response.content[:300]
    problem(response, 409)
    assert state() == before


def test_messages_to_a_foreign_or_absent_biobank(biobank_a, biobank_b, login):
    review = make_review(biobank_a)
    _, chair_b, _ = make_committee(biobank_b)
    before = state()
    problem(login(chair_b).post(api(review.request, "messages"), {"body": "Hello"}, format="json"), 404)
    problem(login(chair_b).get(api(review.request, "messages")), 404)
    response = login(review.researcher).post(
        api(review.request, "messages"),
        {"body": "To B", "audience": "biobank", "biobank": biobank_b.code},
        format="json",
    )
    assert response.status_code in (400, 422)
    problem(response, response.status_code, biobank_a.code)
    assert state() == before


def test_team_confirm_token_with_the_wrong_account_and_bad_sign_token(biobank_a, login):
    from access_requests.services.team import team_member_add

    researcher = make_researcher()
    request = make_request(researcher, [biobank_a])
    team_member_add(actor=researcher, request=request, name="Co", email="co@example.org")
    before = state()
    assert login(make_researcher()).post("/requests/team/not-a-token/").status_code in (200, 400)
    assert not TeamMember.objects.filter(request=request, confirmed_at__isnull=False).exists()
    assert login(make_researcher()).get("/requests/sign/not-a-token/").status_code in (404, 410)
    assert state() == before


def test_decide_while_changes_are_requested(biobank_a, login):
    review = make_review(biobank_a, members=2)
    for person in review.members:
        vote_cast(actor=person, resource=review.resource, value=VoteValue.APPROVE, rationale="Fine")
    assert (
        login(review.chair).post(api(review.request, "changes-request"), {"reason": "Add ethics"}, format="json")
    ).status_code == 200
    before = state()
    response = login(review.chair).post(
        api(review.request, "decide"),
        {"resource": review.resource.pk, "outcome": "approved", "rationale": "ok", "attributes": ["sex"]},
        format="json",
    )
    assert response.status_code == 409, response.content[:300]
    problem(response, 409)
    assert state() == before


# --- third batch: recused chair, id confusion on entitlement verbs, idempotency keys across endpoints --------------


def test_recused_chair_cannot_decide(biobank_a, login):
    review = make_review(biobank_a, members=2, declare=False)
    for person in review.members:
        login(person).post(api(review.request, "conflict"), {"has_conflict": False}, format="json")
        vote_cast(actor=person, resource=review.resource, value=VoteValue.APPROVE, rationale="Fine")
    login(review.chair).post(
        api(review.request, "conflict"), {"has_conflict": True, "statement": "Mine"}, format="json"
    )
    before = state()
    response = login(review.chair).post(
        api(review.request, "decide"),
        {"resource": review.resource.pk, "outcome": "approved", "rationale": "ok", "attributes": ["sex"]},
        format="json",
    )
    problem(response, 403)
    assert state() == before


def test_assign_a_reviewer_of_another_biobank(biobank_a, biobank_b, login):
    review = make_review(biobank_a)
    _, _, members_b = make_committee(biobank_b)
    before = state()
    response = login(review.chair).post(
        api(review.request, "assign"), {"resource": review.resource.pk, "reviewer": members_b[0].pk}, format="json"
    )
    assert response.status_code in (400, 403, 404)
    problem(response, response.status_code)
    assert state() == before


def test_entitlement_verbs_with_ids_of_another_request(ready, biobank_a, login):
    resource, _release = ready
    mine, _, _ = setup_world(biobank_a, donors=1)
    chair = decider(biobank_a)
    other_entitlement = Entitlement.objects.get(resource=resource)
    before = state()
    problem(
        login(chair).post(
            api(mine.request, "revoke"), {"entitlement": other_entitlement.pk, "reason": "Confused"}, format="json"
        ),
        404,
    )
    problem(
        login(chair).post(api(mine.request, "revoke"), {"resource": resource.pk, "reason": "Confused"}, format="json"),
        404,
    )
    problem(login(chair).post(api(mine.request, "grant"), {"resource": resource.pk}, format="json"), 404)
    problem(
        login(mine.request.researcher).post(
            api(mine.request, "accept-conditions"),
            {"resource": resource.pk, "role": "researcher", "name": "R", "confirm": True},
            format="json",
        ),
        404,
    )
    assert state() == before
    assert Entitlement.objects.get(pk=other_entitlement.pk).revoked_at is None


def test_idempotency_key_reused_on_another_endpoint(biobank_a, login):
    review = make_review(biobank_a, members=2)
    chair = login(review.chair)
    first = chair.post(api(review.request, "vote"), vote_body(review.resource), format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert first.status_code == 201
    login(review.members[0]).post(api(review.request, "vote"), vote_body(review.resource), format="json")
    response = chair.post(
        api(review.request, "decide"),
        {"resource": review.resource.pk, "outcome": "approved", "rationale": "ok", "attributes": ["sex"]},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k",
    )
    # never the vote's answer replayed for a decision
    assert response.get("Idempotent-Replayed") != "true"
    assert response.status_code in (201, 409, 422), response.content[:300]
    if response.status_code == 201:
        assert Decision.objects.filter(resource=review.resource).exists()


def test_patch_after_the_decision_is_refused(biobank_a, login):
    review = make_review(biobank_a, members=2)
    for person in review.members:
        vote_cast(actor=person, resource=review.resource, value=VoteValue.APPROVE, rationale="Fine")
    resource_decide(
        actor=review.chair,
        resource=review.resource,
        outcome=DecisionOutcome.APPROVED,
        rationale="ok",
        attributes=["sex"],
    )
    before = state()
    title = AccessRequest.objects.get(pk=review.request.pk).title
    response = login(review.researcher).patch(api(review.request), {"title": "Something else"}, format="json")
    assert response.status_code in (400, 403, 409)  # 400 names the status field: not editable once decided
    problem(response, response.status_code, "edited")
    assert state() == before and AccessRequest.objects.get(pk=review.request.pk).title == title


def test_feasibility_of_a_two_biobank_request_for_the_other_committee(biobank_a, biobank_b, login):
    researcher = make_researcher()
    request = make_request(researcher, [biobank_a, biobank_b], status=RequestStatus.UNDER_REVIEW)
    _, chair_b, _ = make_committee(biobank_b)
    response = login(chair_b).get(api(request, "feasibility/"))
    assert response.status_code == 200
    body = response.json()
    assert biobank_a.code not in str(body) or "exact" not in str(body).lower(), body


# --- fourth batch: the browser URLs with ids of another request or biobank ----------------------------------------


def test_browser_entitlement_urls_with_ids_of_another_request(ready, biobank_a, login):
    resource, _release = ready
    mine, _, _ = setup_world(biobank_a, donors=1)
    chair = decider(biobank_a)
    other = Entitlement.objects.get(resource=resource)
    before = state()
    client = login(chair)
    assert (
        client.post(f"/requests/{mine.request.pk}/entitlements/{other.pk}/revoke/", {"reason": "x"}).status_code == 404
    )
    assert client.post(f"/requests/{mine.request.pk}/resources/{resource.pk}/grant/").status_code == 404
    researcher = login(mine.request.researcher)
    assert researcher.get(f"/requests/{mine.request.pk}/resources/{resource.pk}/conditions/").status_code == 404
    assert researcher.post(f"/requests/{mine.request.pk}/resources/{resource.pk}/decline/").status_code == 404
    assert researcher.get(f"/requests/{resource.request.pk}/access/").status_code == 404
    assert state() == before
    assert Entitlement.objects.get(pk=other.pk).revoked_at is None


def test_browser_review_actions_of_another_biobank(biobank_a, biobank_b, login):
    review = make_review(biobank_a, extra_biobanks=[biobank_b])
    _, chair_b, members_b = make_committee(biobank_b)
    before = state()
    for action, data in (
        ("comment", {"text": "From B"}),
        ("decide", {"outcome": "rejected", "rationale": "x"}),
        ("available", {}),
        ("assign", {"reviewer": members_b[0].pk}),
    ):
        response = login(chair_b).post(f"/requests/review/{review.resource.pk}/{action}/", data)
        assert response.status_code == 404, (action, response.status_code)
    assert state() == before


def test_decision_letter_of_the_other_biobank_in_a_shared_request(biobank_a, biobank_b, login):
    review = make_review(biobank_a, extra_biobanks=[biobank_b])
    _, chair_b, _ = make_committee(biobank_b)
    for person in review.members:
        vote_cast(actor=person, resource=review.resource, value=VoteValue.REJECT, rationale="No")
    resource_decide(actor=review.chair, resource=review.resource, outcome=DecisionOutcome.REJECTED, rationale="No")
    assert login(chair_b).get(f"/requests/{review.request.pk}/").status_code in (200, 302, 404)
    assert login(chair_b).get(f"/requests/review/{review.resource.pk}/letter.pdf").status_code == 404
    assert login(review.chair).get(f"/requests/review/{review.resource.pk}/letter.pdf").status_code == 200


def test_download_after_the_beat_expired_the_entitlement(ready, login):
    from access_requests.services.entitlements import entitlements_expire

    resource, release = ready
    researcher = resource.request.researcher
    Entitlement.objects.filter(resource=resource).update(ends_on=timezone.localdate() + timedelta(days=2))
    _link, token = download_link_create(actor=researcher, release=release)
    with time_machine.travel(timezone.now() + timedelta(days=3), tick=False):
        entitlements_expire()
        before = state()
        response = login(researcher).get(f"/requests/download/{token}/csv")
        assert response.status_code in (403, 410), response.status_code
        problem(login(researcher).post(f"/api/v1/releases/{release.pk}/download-link"), 403)
        assert state() == before
    resource.request.refresh_from_db()
    assert resource.request.status == RequestStatus.EXPIRED


def test_undeclared_chair_cannot_decide(biobank_a, login):
    """A member must declare before voting; the chair who decides must have declared too (else 409 'declare')."""
    review = make_review(biobank_a, members=2, declare=False)
    for person in review.members:
        login(person).post(api(review.request, "conflict"), {"has_conflict": False}, format="json")
        vote_cast(actor=person, resource=review.resource, value=VoteValue.APPROVE, rationale="Fine")
    before = state()
    response = login(review.chair).post(
        api(review.request, "decide"),
        {"resource": review.resource.pk, "outcome": "approved", "rationale": "ok", "attributes": ["sex"]},
        format="json",
    )
    assert response.status_code in (403, 409), response.content[:300]
    problem(response, response.status_code, "conflict")
    assert state() == before


def test_vote_and_decide_on_a_withdrawn_request(biobank_a, login):
    review = make_review(biobank_a, members=2)
    vote_cast(actor=review.members[0], resource=review.resource, value=VoteValue.APPROVE, rationale="Fine")
    response = login(review.researcher).post(api(review.request, "withdraw/"), {"reason": "Moved on"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == RequestStatus.WITHDRAWN
    before = state()
    response = login(review.members[1]).post(api(review.request, "vote"), vote_body(review.resource), format="json")
    assert response.status_code == 409, response.content[:300]
    problem(response, 409, "withdrawn")
    response = login(review.chair).post(
        api(review.request, "decide"),
        {"resource": review.resource.pk, "outcome": "approved", "rationale": "ok", "attributes": ["sex"]},
        format="json",
    )
    assert response.status_code == 409, response.content[:300]
    assert state() == before


def test_availability_and_assignment_on_a_withdrawn_request(biobank_a, login):
    review = make_review(biobank_a, resource_status=ResourceStatus.CHECKING_AVAILABILITY)
    login(review.researcher).post(api(review.request, "withdraw/"), {"reason": "Moved on"}, format="json")
    before = state()
    assignments = review.resource.assignments.count() if hasattr(review.resource, "assignments") else 0
    response = login(review.chair).post(f"/requests/review/{review.resource.pk}/available/")
    review.resource.refresh_from_db()
    assert review.resource.status == ResourceStatus.CHECKING_AVAILABILITY, response.status_code
    response = login(review.chair).post(
        api(review.request, "assign"), {"resource": review.resource.pk, "reviewer": review.members[0].pk}, format="json"
    )
    assert response.status_code == 409, response.content[:300]
    assert state() == before
    assert (review.resource.assignments.count() if hasattr(review.resource, "assignments") else 0) == assignments
