"""The whole path of issue 14 ("Done when"), through the browser pages where a person uses them and the services
behind them: catalogue search → cart → request → feasibility → assignment → votes → approval with conditions →
agreement accepted → release built → download. The release's pseudonyms differ from the biobank's PIDs and from a
second release's; a donor who withdrew before the release is absent."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.utils import timezone

from access_requests.choices import (
    AttachmentKind,
    ConditionKind,
    DecisionOutcome,
    PurposeKind,
    ReleaseStatus,
    RequestStatus,
    ResourceStatus,
    SignatoryRole,
    TeamRole,
    VoteValue,
)
from access_requests.models import AccessRequest, Download, Release
from access_requests.services.agreements import agreement_accept, agreement_accept_by_link, agreement_default_publish
from access_requests.services.attachments import attachment_add
from access_requests.services.decisions import resource_decide
from access_requests.services.entitlements import resource_grant
from access_requests.services.releases import release_request
from access_requests.services.requests import request_submit, request_update
from access_requests.services.review import (
    conflict_declare,
    request_review_start,
    resource_availability_set,
    reviewer_assign,
    vote_cast,
)
from access_requests.services.team import team_member_add
from consent import services as consent_services
from tests.access_requests.factories import make_committee, make_researcher
from tests.access_requests.fulfil_factories import plasma, release_donor
from tests.catalog.factories import make_public_profile, make_published_collection
from tests.specimens.factories import consent_officer

pytestmark = pytest.mark.django_db(transaction=True)
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _rows(response) -> list[dict[str, str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


def _download(client, release: Release) -> list[dict[str, str]]:
    """The researcher's releases page, a download link from the API, then the CSV through the link."""
    assert client.get(f"/requests/{release.resource.request_id}/releases/").status_code == 200
    response = client.post(f"/api/v1/releases/{release.pk}/download-link", content_type="application/json")
    assert response.status_code == 201, response.content
    path = response.json()["csv"].split("://", 1)[-1]
    got = client.get(path[path.index("/requests/download/") :])
    assert got.status_code == 200, got.content
    return _rows(got)


def test_from_a_catalogue_search_to_a_downloaded_release(client, biobank_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    make_public_profile(biobank_a)
    collection = make_published_collection(
        biobank_a, "dm2", "Diabetes plasma", materials=["PLASMA"], diseases=["E11"], data_use=["DUO:0000006"]
    )
    donors = [release_donor(biobank_a) for _ in range(4)]
    for donor in donors:
        plasma(collection, donor, diagnosis="E11.9")
    _committee, chair, (member,) = make_committee(biobank_a, members=1, quorum=2)
    agreement_default_publish(actor=chair, biobank=biobank_a)
    researcher = make_researcher(email="rosa@example.org")

    # catalogue search → cart → a request started from the cart (the wizard's first step)
    client.force_login(researcher)
    assert client.get("/catalogue/search/?q=diabetes").status_code == 200
    added = client.post(
        "/catalogue/cart/", {"action": "add", "collection": collection.pk, "search": "q=diabetes", "next": "/"}
    )
    assert added.status_code == 302
    started = client.post(
        "/requests/new/?from=cart",
        {"title": "Plasma markers of type 2 diabetes", "lay_summary": "Early signs.", "abstract": "Case-control."},
    )
    assert started.status_code == 302, started.content
    request = AccessRequest.objects.get(researcher=researcher)
    assert list(request.resources.get().collections.all()) == [collection]
    assert "diabetes" in request.search_description

    # the rest of the wizard, through the service the steps call; the team's signatory; the ethics approval
    request_update(
        actor=researcher,
        request=request,
        purpose_kind=PurposeKind.HMB,
        material=[{"material_type": "PLASMA", "amount": "0.5", "unit": "mL", "samples": 4}],
        criteria={"diagnoses": ["E11"]},
        ethics_reference="EK-2026-117",
        ethics_expiry=timezone.localdate() + timedelta(days=365),
        duration_months=12,
    )
    team_member_add(
        actor=researcher,
        request=request,
        name="Ina Signer",
        email="contracts@example.org",
        role=TeamRole.INSTITUTIONAL_SIGNATORY,
    )
    attachment_add(
        actor=researcher, request=request, kind=AttachmentKind.ETHICS_APPROVAL, file=ContentFile(PDF, name="ek.pdf")
    )

    # feasibility: the four consented donors, rounded for the researcher
    feasibility = client.get(f"/api/v1/access-requests/{request.pk}/feasibility/")
    assert feasibility.status_code == 200, feasibility.content
    (row,) = feasibility.json()  # rounded: never the exact 4 to a researcher
    assert (row["donors"], row["specimens"], row["exact"]) == ("< 10", "< 10", False)

    request_submit(actor=researcher, request=request)
    request.refresh_from_db()
    assert request.status == RequestStatus.SUBMITTED

    # review: start, availability, conflicts, assignment, votes beside the DUO match, decision with conditions
    request_review_start(actor=chair, request=request)
    resource = request.resources.get()
    resource_availability_set(actor=chair, resource=resource, available=True)
    for person in (chair, member):
        conflict_declare(actor=person, request=request, has_conflict=False)
    reviewer_assign(actor=chair, resource=resource, reviewer=member)
    client.force_login(member)
    screen = client.get(f"/requests/review/{resource.pk}/")
    assert screen.status_code == 200 and "APPROVE" in screen.content.decode()  # the DUO match beside the votes
    vote_cast(actor=member, resource=resource, value=VoteValue.APPROVE, rationale="HMB within the consent.")
    vote_cast(actor=chair, resource=resource, value=VoteValue.APPROVE, rationale="Agreed.")
    resource_decide(
        actor=chair,
        resource=resource,
        outcome=DecisionOutcome.APPROVED,
        rationale="Within the donors' consent.",
        conditions=[{"kind": ConditionKind.ACKNOWLEDGEMENT, "text": "Acknowledge Biobank A."}],
        attributes=["sex", "material_type", "diagnosis"],
        access_ends_on=timezone.localdate() + timedelta(days=365),
    )
    request.refresh_from_db()
    resource.refresh_from_db()
    assert (request.status, resource.status) == (RequestStatus.DECIDED, ResourceStatus.CONDITIONS_INDICATED)

    # the agreement: the researcher, then the institution's signatory by the e-mailed link
    agreement_accept(actor=researcher, resource=resource, role=SignatoryRole.RESEARCHER, name="Rosa", confirm=True)
    links = [m for e in mail.outbox if (m := re.search(r"/requests/sign/([\w-]+)/", e.body))]
    agreement_accept_by_link(token=links[-1].group(1), name="Ina Signer", confirm=True)
    resource.refresh_from_db()
    assert resource.status == ResourceStatus.CONDITIONS_ACCEPTED
    resource_grant(actor=chair, resource=resource)
    request.refresh_from_db()
    assert request.status == RequestStatus.ACTIVE

    # a donor withdraws before the release is built: absent from it
    withdrawn = donors[0]
    consent_services.donor_withdraw(
        actor=consent_officer(biobank_a),
        donor=withdrawn,
        level="no_further_use",
        effective=timezone.localdate(),
        reason="Letter",
    )
    first = release_request(actor=chair, resource=resource)
    second = release_request(actor=chair, resource=resource)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == second.status == ReleaseStatus.READY, (first.error, second.error)
    assert (first.donor_count, first.excluded_donors) == (3, 1)

    # download (audited), only the approved attributes, pseudonyms unlinkable to the PIDs and between releases
    client.force_login(researcher)
    rows_first, rows_second = _download(client, first), _download(client, second)
    assert set(rows_first[0]) == {"donor_pseudonym", "specimen_pseudonym", "sex", "material_type", "diagnosis"}
    pids = {d.pid for d in donors}
    pseudonyms_first = {r["donor_pseudonym"] for r in rows_first}
    assert len(pseudonyms_first) == 3 and not pseudonyms_first & pids
    assert not pseudonyms_first & {r["donor_pseudonym"] for r in rows_second}
    assert Download.objects.filter(release=first, user=researcher).exists()
