"""Demo access requests (``manage.py seed_demo``), built through the real services so every screen shows real
content: the researcher's list, the committee's queue and vote screen, and the donor's list of projects.

The first demo biobank gets its data-access committee (chair dac@example.org, member dacmember@example.org, majority
of two), and researcher@example.org four requests:

1. a **draft** (from the catalogue, not yet submitted);
2. one **under review**, with the member's vote and rationale beside the DUO match, the chair still to vote;
3. one **approved with conditions**: both votes, the decision and its letter, the agreement accepted by the
   researcher and the institution's signatory, access granted, and a **release built** with release pseudonyms;
4. one **rejected** by the committee, with its reasons.

Idempotent: nothing is added when the researcher already has requests.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from biobank.accounts.models import OutgoingEmail
from biobank.demo import DemoContext
from catalog.models import Collection
from catalog.search import published_collections
from consent.models import Consent, Donor
from specimens.services import specimen_register

from .choices import AttachmentKind, ConditionKind, DecisionOutcome, PurposeKind, SignatoryRole, TeamRole, VoteValue
from .models import AccessRequest, Committee, RequestResource, ResearcherProfile
from .services.agreements import agreement_accept, agreement_accept_by_link
from .services.attachments import attachment_add
from .services.committees import committee_create, committee_member_add
from .services.decisions import resource_decide
from .services.entitlements import resource_grant
from .services.releases import release_build, release_request
from .services.requests import request_create, request_submit
from .services.review import (
    conflict_declare,
    request_review_start,
    resource_availability_set,
    reviewer_assign,
    vote_cast,
)
from .services.team import team_member_add

RESEARCHER, CHAIR, MEMBER = "researcher@example.org", "dac@example.org", "dacmember@example.org"
TECHNICIAN = "staff@example.org"
CONSENTED_PLASMA = 24
ETHICS = "EK 2026-114"
# A one-page PDF standing in for the ethics committee's letter.
ETHICS_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _project(title: str, summary: str, **extra: Any) -> dict[str, Any]:
    return {
        "title": title,
        "lay_summary": summary,
        "abstract": "A retrospective case-control study of circulating markers measured in stored plasma and serum.",
        "purpose_kind": PurposeKind.HMB,
        "material": [{"material_type": "PLASMA", "amount": "0.5", "unit": "mL", "samples": 40}],
        "donors_requested": 40,
        "samples_requested": 40,
        "criteria": {"material_types": []},
        "inclusion_criteria": "Adults; no sample thawed before.",
        "data_categories": ["BIOLOGICAL_SAMPLES"],
        "ethics_reference": ETHICS,
        "ethics_expiry": timezone.localdate() + timedelta(days=365),
        "funding": "Swedish Research Council, grant 2026-01234",
        "duration_months": 12,
        **extra,
    }


def _submitted(
    researcher: Any, collections: list[Collection], *, signatory: bool = False, **fields: Any
) -> AccessRequest:
    request = request_create(actor=researcher, collection_ids=[c.pk for c in collections], **fields)
    if signatory:  # who signs the transfer agreement for the researcher's institution
        team_member_add(
            actor=researcher,
            request=request,
            name="Maren Aasland",
            email="contracts@ki.example.org",
            institution="Karolinska Institutet",
            role=TeamRole.INSTITUTIONAL_SIGNATORY,
        )
    approval = ContentFile(ETHICS_PDF, name="ethics-approval.pdf")
    attachment_add(actor=researcher, request=request, kind=AttachmentKind.ETHICS_APPROVAL, file=approval)
    request_submit(actor=researcher, request=request)
    return request


def _submitted_days_ago(request: AccessRequest, days: int) -> None:
    """Demo only: the request was submitted ``days`` ago, so the dashboard's committee turnaround shows real days."""
    submitted = timezone.now() - timedelta(days=days)
    created = submitted - timedelta(hours=2)
    AccessRequest.objects.filter(pk=request.pk).update(created_at=created, submitted_at=submitted)


def _review(request: AccessRequest, chair: Any, member: Any) -> Any:
    """The committee starts the review and finds the material available; both members declare no conflict."""
    request.refresh_from_db()
    request_review_start(actor=chair, request=request)
    resource = RequestResource.objects.select_related("request", "biobank").get(request_id=request.pk)
    resource_availability_set(actor=chair, resource=resource, available=True)
    for person in (chair, member):
        conflict_declare(actor=person, request=request, has_conflict=False)
    return resource


def seed_requests(context: DemoContext) -> None:
    researcher = context.people.get(RESEARCHER)
    chair, member = context.people.get(CHAIR), context.people.get(MEMBER)
    biobank = context.first_biobank
    if researcher is None or chair is None or member is None:
        return
    if AccessRequest.objects.filter(researcher=researcher).exists():
        return
    ResearcherProfile.objects.get_or_create(
        user=researcher,
        defaults={"institution": "Karolinska Institutet", "country": "SE", "orcid": "0000-0002-1825-0097"},
    )
    if not Committee.objects.filter(biobank=biobank).exists():
        committee = committee_create(actor=chair, name=f"Data-access committee, {biobank.name}", biobank=biobank)
        committee_member_add(actor=chair, committee=committee, user=chair, role="chair")
        committee_member_add(actor=chair, committee=committee, user=member)
    published = published_collections().filter(biobank=biobank, specimens__isnull=False).distinct().order_by("code")
    collections = list(published)
    if not collections:
        return
    first = collections[:1]
    _consented_plasma(first[0], context.people.get(TECHNICIAN))

    # 1. a draft, started from the catalogue
    request_create(
        actor=researcher,
        collection_ids=[c.pk for c in first],
        title="Inflammation markers before a diabetes diagnosis",
        lay_summary="Do signs of inflammation in the blood appear years before diabetes is diagnosed?",
        purpose_kind=PurposeKind.HMB,
        search_description="Collections with material type Plasma",
    )

    # 2. under review, one vote cast
    reviewed = _submitted(
        researcher,
        first,
        **_project("Metabolomics of healthy ageing", "Which small molecules in the blood change as we grow older?"),
    )
    resource = _review(reviewed, chair, member)
    vote_cast(
        actor=member,
        resource=resource,
        value=VoteValue.APPROVE,
        rationale="Health research within the donors' consent; the numbers asked for are available.",
    )
    # the chair's own review, due in five days (the DAC dashboard's "My reviews")
    reviewer_assign(actor=chair, resource=resource, reviewer=chair, due_on=timezone.localdate() + timedelta(days=5))

    # 3. approved with conditions, agreement accepted, access granted, a release built
    approved = _submitted(
        researcher,
        first,
        signatory=True,
        **_project("Plasma proteins and heart disease", "Can proteins in the blood tell early who gets heart disease?"),
    )
    _submitted_days_ago(approved, 18)
    resource = _review(approved, chair, member)
    rationale = "Within the broad consent (HMB); conditions as usual for data releases."
    vote_cast(actor=member, resource=resource, value=VoteValue.APPROVE, rationale=rationale)
    vote_cast(actor=chair, resource=resource, value=VoteValue.APPROVE, rationale=rationale)
    resource_decide(
        actor=chair,
        resource=resource,
        outcome=DecisionOutcome.APPROVED,
        rationale=rationale,
        conditions=[
            {"kind": ConditionKind.ACKNOWLEDGEMENT, "text": f"Acknowledge {biobank.name} in every publication."},
            {"kind": ConditionKind.NO_REIDENTIFICATION, "text": ""},
            {
                "kind": ConditionKind.DATA_DESTRUCTION,
                "text": "Delete the released data at the end of the project.",
                "due_on": timezone.localdate() + timedelta(days=400),
            },
        ],
        attributes=["sex", "age_at_collection", "material_type", "sprec_code", "diagnosis", "collected_on"],
        access_ends_on=timezone.localdate() + timedelta(days=365),
    )
    agreement_accept(
        actor=researcher, resource=resource, role=SignatoryRole.RESEARCHER, name="Rosa Lindqvist", confirm=True
    )
    link_token = _signing_token(resource)
    if link_token:
        agreement_accept_by_link(token=link_token, name="Maren Aasland", confirm=True)
    resource.refresh_from_db()
    resource_grant(actor=chair, resource=resource)
    release = release_request(actor=chair, resource=resource)
    release_build(release_id=release.pk)

    # 4. rejected
    rejected = _submitted(
        researcher,
        first,
        **_project(
            "Commercial biomarker panel",
            "A company wants to develop a paid test from stored samples.",
            commercial=True,
        ),
    )
    _submitted_days_ago(rejected, 31)
    resource = _review(rejected, chair, member)
    reason = "For-profit development is outside what the donors agreed to; the collection is not-for-profit only."
    vote_cast(actor=member, resource=resource, value=VoteValue.REJECT, rationale=reason)
    vote_cast(actor=chair, resource=resource, value=VoteValue.REJECT, rationale=reason)
    resource_decide(actor=chair, resource=resource, outcome=DecisionOutcome.REJECTED, rationale=reason)


def _consented_plasma(collection: Collection, actor: Any) -> None:
    """Plasma of the demo's consented donors in the requested (published) collection, so that feasibility counts and
    the release have people in them (the specimens demo keeps its consented donors' tubes in an unpublished
    collection)."""
    donors = Donor.objects.filter(
        biobank=collection.biobank, merged_into__isnull=True, pk__in=Consent.objects.values("donor")
    ).order_by("pk")[:CONSENTED_PLASMA]
    collected = timezone.now() - timedelta(days=120)
    for number, donor in enumerate(donors):
        specimen_register(
            actor=actor,
            collection=collection,
            donor=donor,
            sample_type="PL1",
            quantity="1",
            unit="mL",
            facts={"collected_at": collected + timedelta(days=number)},
            notes="EDTA plasma, demo",
            diagnosis="C18.7",
        )


def _signing_token(resource: Any) -> str | None:
    """The signatory's one-time token, read back from the e-mail that carried it (only its hash is stored)."""
    signatory = resource.request.team.filter(role=TeamRole.INSTITUTIONAL_SIGNATORY).first()
    email = OutgoingEmail.objects.filter(to=getattr(signatory, "email", "")).order_by("-pk").first()
    found = re.search(r"/requests/sign/([\w-]+)/", email.body) if email else None
    return found.group(1) if found else None
