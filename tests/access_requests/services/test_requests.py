"""The researcher's verbs: create, edit (only while editable, only by the researcher), submit with every missing
thing listed at once, withdraw with a reason, resubmit after changes were asked for."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from access_requests.choices import RequestStatus, ResourceStatus, TeamRole
from access_requests.models import AccessRequest, RequestEvent
from access_requests.services.requests import (
    request_create,
    request_resubmit,
    request_submit,
    request_update,
    request_withdraw,
)
from access_requests.services.team import team_member_add
from access_requests.services.workflow import TransitionRefused, resource_transition
from biobank.audit.models import AuditOutbox
from biobank.errors import DomainError, ForbiddenError, InvalidFields
from tests.access_requests.factories import make_request, make_researcher
from tests.access_requests.wizard_factories import complete_draft, complete_fields, published_collection

pytestmark = pytest.mark.django_db


def test_it_creates_one_resource_per_biobank_with_the_chosen_collections(biobank_a, biobank_b):
    a1, a2, b1 = published_collection(biobank_a), published_collection(biobank_a), published_collection(biobank_b)
    researcher = make_researcher()
    request = request_create(actor=researcher, title="T", collection_ids=[a1.pk, a2.pk, b1.pk])
    assert request.status == RequestStatus.DRAFT and (request.number or "").startswith("AR-")
    by_biobank = {r.biobank_id: set(r.collections.values_list("pk", flat=True)) for r in request.resources.all()}
    assert by_biobank == {biobank_a.pk: {a1.pk, a2.pk}, biobank_b.pk: {b1.pk}}
    assert RequestEvent.objects.filter(request=request, kind="request.created").exists()
    assert AuditOutbox.objects.filter(action="access_request.request.created").exists()


def test_it_refuses_an_unpublished_collection(biobank_a):
    from tests.specimens.factories import make_collection

    hidden = make_collection(biobank_a)
    with pytest.raises(DomainError) as error:
        request_create(actor=make_researcher(), title="T", collection_ids=[hidden.pk])
    assert error.value.field == "collections" and str(hidden.pk) in error.value.message


def test_it_reports_every_bad_field_at_once():
    with pytest.raises(InvalidFields) as error:
        request_create(
            actor=make_researcher(),
            title="",
            purpose_kind="disease",
            disease="",
            duration_months=61,
            ethics_expiry=timezone.localdate() - timedelta(days=1),
            material=[{"material_type": "GOLD", "amount": "-1", "unit": "kg", "samples": 0}],
            criteria={"sexes": ["robot"], "age_min": 70, "age_max": 20, "diagnoses": ["11E"]},
            data_categories=["NOPE"],
        )
    errors = error.value.errors
    assert set(errors) == {
        "title",
        "disease",
        "duration_months",
        "ethics_expiry",
        "material",
        "criteria",
        "data_categories",
    }
    assert "1 to 60 months" in errors["duration_months"][0]
    assert any("Material row 1" in m and "GOLD" in m for m in errors["material"])
    assert any("kg" in m for m in errors["material"])
    assert any("robot" in m for m in errors["criteria"]) and any("lowest age" in m for m in errors["criteria"])
    assert any("11E" in m for m in errors["criteria"])
    assert "ICD-10" in errors["disease"][0]
    assert not AccessRequest.objects.exists()


def test_it_normalises_the_disease():
    request = request_create(actor=make_researcher(), title="T", purpose_kind="disease", disease=" e11.9 ")
    assert request.disease == "E11.9"


def test_a_person_who_is_no_researcher_cannot_create(technician_a):
    with pytest.raises(ForbiddenError):
        request_create(actor=technician_a, title="T")


def test_only_the_researcher_edits_and_a_foreign_researcher_gets_404(biobank_a):
    request = make_request(make_researcher(), [biobank_a])
    with pytest.raises(AccessRequest.DoesNotExist):
        request_update(actor=make_researcher(), request=request, title="Mine now")
    request.refresh_from_db()
    assert request.title != "Mine now"


def test_a_submitted_request_is_not_editable(biobank_a):
    researcher = make_researcher()
    request = make_request(researcher, [biobank_a], status=RequestStatus.SUBMITTED)
    with pytest.raises(DomainError) as error:
        request_update(actor=researcher, request=request, title="Changed")
    assert error.value.code == "not_editable"


def test_changes_requested_is_editable_but_the_biobanks_are_fixed(biobank_a):
    researcher = make_researcher()
    request = make_request(researcher, [biobank_a], status=RequestStatus.CHANGES_REQUESTED)
    request = request_update(actor=researcher, request=request, abstract="Better abstract")
    assert request.abstract == "Better abstract"
    with pytest.raises(DomainError) as error:
        request_update(actor=researcher, request=request, collection_ids=[])
    assert error.value.code == "resources_fixed"


def test_submit_lists_everything_missing(biobank_a):
    researcher = make_researcher()
    request = request_create(actor=researcher, title="T", purpose_kind="disease")
    with pytest.raises(InvalidFields) as error:
        request_submit(actor=researcher, request=request)
    assert {"lay_summary", "abstract", "disease", "material", "ethics_reference", "ethics_expiry", "attachments",
            "duration_months", "collections"} <= set(error.value.errors)  # fmt: skip
    request.refresh_from_db()
    assert request.status == RequestStatus.DRAFT


def test_a_complete_draft_is_submitted(biobank_a):
    researcher = make_researcher()
    request = complete_draft(researcher, [published_collection(biobank_a)])
    request = request_submit(actor=researcher, request=request)
    request.refresh_from_db()
    assert request.status == RequestStatus.SUBMITTED and request.submitted_at is not None
    assert AuditOutbox.objects.filter(action="access_request.request.submitted").exists()


def test_co_applicants_must_confirm_before_submission(biobank_a):
    researcher = make_researcher()
    request = complete_draft(researcher, [published_collection(biobank_a)])
    team_member_add(actor=researcher, request=request, name="Bo Co", email="bo@example.org", role=TeamRole.CO_APPLICANT)
    with pytest.raises(InvalidFields) as error:
        request_submit(actor=researcher, request=request)
    assert "Bo Co" in error.value.errors["team"][0]


def test_an_expired_ethics_approval_blocks_submission(biobank_a):
    researcher = make_researcher()
    request = complete_draft(researcher, [published_collection(biobank_a)])
    AccessRequest.objects.filter(pk=request.pk).update(ethics_expiry=timezone.localdate())
    with pytest.raises(InvalidFields) as error:
        request_submit(actor=researcher, request=request)
    assert "expired" in error.value.errors["ethics_expiry"][0]


def test_submitting_twice_is_refused_with_the_current_state(biobank_a):
    researcher = make_researcher()
    request = make_request(researcher, [biobank_a], status=RequestStatus.SUBMITTED)
    with pytest.raises(TransitionRefused):
        request_submit(actor=researcher, request=request)


def test_withdraw_needs_a_reason_and_works_from_under_review(biobank_a):
    researcher = make_researcher()
    request = make_request(researcher, [biobank_a], status=RequestStatus.UNDER_REVIEW)
    with pytest.raises(DomainError) as error:
        request_withdraw(actor=researcher, request=request, reason=" ")
    assert error.value.field == "reason"
    request_withdraw(actor=researcher, request=request, reason="Funding ended")
    request.refresh_from_db()
    assert request.status == RequestStatus.WITHDRAWN
    assert request.events.get(kind="request.withdrawn").reason == "Funding ended"


def test_a_rejected_request_cannot_be_withdrawn(biobank_a):
    researcher = make_researcher()
    request = make_request(researcher, [biobank_a], status=RequestStatus.REJECTED)
    with pytest.raises(TransitionRefused):
        request_withdraw(actor=researcher, request=request, reason="x")


def test_resubmit_returns_to_review_and_leaves_the_resources_alone(biobank_a):
    researcher = make_researcher()
    request = complete_draft(researcher, [published_collection(biobank_a)])
    request_submit(actor=researcher, request=request)
    from access_requests.services.workflow import request_transition

    request_transition(request=request, to=RequestStatus.UNDER_REVIEW, actor=None)
    resource = request.resources.get()
    resource_transition(resource=resource, to=ResourceStatus.CHECKING_AVAILABILITY, actor=None)
    request_transition(request=request, to=RequestStatus.CHANGES_REQUESTED, actor=None)
    request_resubmit(actor=researcher, request=request)
    request.refresh_from_db()
    resource.refresh_from_db()
    assert request.status == RequestStatus.UNDER_REVIEW
    assert resource.status == ResourceStatus.CHECKING_AVAILABILITY


def test_a_confirmed_team_member_reads_but_cannot_edit(biobank_a):
    from access_requests.services.team import team_confirm

    researcher = make_researcher()
    request = complete_draft(researcher, [published_collection(biobank_a)])
    colleague = make_researcher(email="co@example.org")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("access_requests.services.team.secrets.token_urlsafe", lambda n: "fixed-token")
        team_member_add(actor=researcher, request=request, name="Co", email="co@example.org")
    team_confirm(actor=colleague, token="fixed-token")
    with pytest.raises(ForbiddenError):
        request_update(actor=colleague, request=request, title="Not mine")
    assert complete_fields()["title"] == AccessRequest.objects.get(pk=request.pk).title
