"""Agreements: versions, both parties' acceptance (version and text hash recorded), the signatory's one-time link,
declining the conditions."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.core import mail

from access_requests.choices import AgreementKind, RequestStatus, ResourceStatus, SignatoryRole, TeamRole
from access_requests.models import AgreementAcceptance, RequestEvent, SigningLink, TeamMember
from access_requests.services.agreements import (
    agreement_accept,
    agreement_accept_by_link,
    agreement_publish,
    conditions_decline,
    signing_link_get,
)
from biobank.errors import ConflictError, DomainError, ForbiddenError
from tests.access_requests.entitle_factories import accept_both, make_conditions_indicated
from tests.access_requests.factories import make_researcher

pytestmark = pytest.mark.django_db(transaction=False)

BODY = "The recipient uses the material only for the approved project and destroys it at the end. " * 2


def _token_from_outbox(emails) -> str:
    email = next(e for e in emails if "/requests/sign/" in e.body)
    return re.search(r"/requests/sign/([\w-]+)/", email.body).group(1)


def test_publishing_makes_the_next_version_and_keeps_the_first(biobank_a, admin_a):
    first = agreement_publish(actor=admin_a, biobank=biobank_a, kind=AgreementKind.DTA, title="DTA", body=BODY)
    second = agreement_publish(actor=admin_a, biobank=biobank_a, kind=AgreementKind.DTA, title="DTA", body=BODY + "x")
    first.refresh_from_db()
    assert (first.version, second.version) == (1, 2)
    assert first.body == BODY.strip()


def test_a_technician_may_not_publish_an_agreement(biobank_a, technician_a):
    with pytest.raises(ForbiddenError):
        agreement_publish(actor=technician_a, biobank=biobank_a, kind=AgreementKind.DTA, title="DTA", body=BODY)


def test_an_admin_of_biobank_b_may_not_publish_for_a(biobank_a, outsider):
    with pytest.raises(ForbiddenError):
        agreement_publish(actor=outsider, biobank=biobank_a, kind=AgreementKind.MTA, title="MTA", body=BODY)


def test_both_parties_must_accept_before_the_conditions_are_accepted(biobank_a, django_capture_on_commit_callbacks):
    g = make_conditions_indicated(biobank_a)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        acceptance = agreement_accept(
            actor=g.researcher,
            resource=g.resource,
            role=SignatoryRole.RESEARCHER,
            name="Rita Searcher",
            confirm=True,
            version=g.agreement.version,
            ip="192.0.2.7",
        )
    g.resource.refresh_from_db()
    assert g.resource.status == ResourceStatus.CONDITIONS_INDICATED
    assert acceptance.template == g.agreement
    assert acceptance.text_sha256 == hashlib.sha256(g.agreement.body.encode()).hexdigest()
    assert (acceptance.user, acceptance.ip, acceptance.name) == (g.researcher, "192.0.2.7", "Rita Searcher")
    assert callbacks
    token = _token_from_outbox(mail.outbox)
    assert signing_link_get(token).signatory == g.signatory
    institution = agreement_accept_by_link(token=token, name="Ina Signer", confirm=True, ip="198.51.100.2")
    g.resource.refresh_from_db()
    assert g.resource.status == ResourceStatus.CONDITIONS_ACCEPTED
    assert institution.user is None and institution.email == g.signatory.email
    assert institution.template.version == 1
    kinds = list(RequestEvent.objects.filter(resource=g.resource).values_list("kind", flat=True))
    assert kinds.count("agreement.accepted") == 2 and "resource.conditions_accepted" in kinds


def test_a_signing_link_works_once(biobank_a, django_capture_on_commit_callbacks):
    g = make_conditions_indicated(biobank_a)
    with django_capture_on_commit_callbacks(execute=True):
        agreement_accept(actor=g.researcher, resource=g.resource, role="researcher", name="Rita S", confirm=True)
    token = _token_from_outbox(mail.outbox)
    agreement_accept_by_link(token=token, name="Ina Signer", confirm=True)
    with pytest.raises(SigningLink.DoesNotExist):
        agreement_accept_by_link(token=token, name="Ina Signer", confirm=True)
    with pytest.raises(SigningLink.DoesNotExist):
        signing_link_get("not-a-token")


def test_without_a_signatory_the_researcher_must_name_one(biobank_a):
    g = make_conditions_indicated(biobank_a, signatory=False)
    with pytest.raises(DomainError) as error:
        agreement_accept(actor=g.researcher, resource=g.resource, role="researcher", name="Rita S", confirm=True)
    assert error.value.field == "signatory_email"
    assert not AgreementAcceptance.objects.exists()
    agreement_accept(
        actor=g.researcher,
        resource=g.resource,
        role="researcher",
        name="Rita S",
        confirm=True,
        signatory_name="Olga Office",
        signatory_email="olga@uni.example",
    )
    named = TeamMember.objects.get(request=g.request, role=TeamRole.INSTITUTIONAL_SIGNATORY)
    assert named.email == "olga@uni.example"
    assert SigningLink.objects.get(resource=g.resource).signatory == named


def test_acceptance_needs_the_typed_name_and_the_checkbox(biobank_a):
    g = make_conditions_indicated(biobank_a)
    with pytest.raises(DomainError, match="full name"):
        agreement_accept(actor=g.researcher, resource=g.resource, role="researcher", name=" ", confirm=True)
    with pytest.raises(DomainError, match="Tick"):
        agreement_accept(actor=g.researcher, resource=g.resource, role="researcher", name="Rita S", confirm=False)


def test_a_stale_version_is_refused(biobank_a):
    g = make_conditions_indicated(biobank_a)
    agreement_publish(actor=g.chair, biobank=biobank_a, kind=AgreementKind.MDTA, title="MDTA", body=BODY)
    with pytest.raises(ConflictError, match="version 2"):
        agreement_accept(
            actor=g.researcher, resource=g.resource, role="researcher", name="Rita S", confirm=True, version=1
        )


def test_another_researcher_may_not_accept(biobank_a):
    g = make_conditions_indicated(biobank_a)
    with pytest.raises(ForbiddenError):
        agreement_accept(actor=make_researcher(), resource=g.resource, role="researcher", name="Eve", confirm=True)
    with pytest.raises(ForbiddenError):
        agreement_accept(actor=g.researcher, resource=g.resource, role="institution", name="Eve", confirm=True)


def test_accepting_twice_as_researcher_is_a_conflict(biobank_a):
    g = make_conditions_indicated(biobank_a)
    agreement_accept(actor=g.researcher, resource=g.resource, role="researcher", name="Rita S", confirm=True)
    with pytest.raises(ConflictError):
        agreement_accept(actor=g.researcher, resource=g.resource, role="researcher", name="Rita S", confirm=True)


def test_the_signatory_with_an_account_accepts_as_institution(biobank_a):
    g = make_conditions_indicated(biobank_a)
    accept_both(g)
    assert g.resource.status == ResourceStatus.CONDITIONS_ACCEPTED
    roles = set(AgreementAcceptance.objects.filter(resource=g.resource).values_list("role", flat=True))
    assert roles == {SignatoryRole.RESEARCHER, SignatoryRole.INSTITUTION}


def test_declining_the_only_resource_withdraws_the_request(biobank_a):
    g = make_conditions_indicated(biobank_a)
    with pytest.raises(DomainError):
        conditions_decline(actor=g.researcher, resource=g.resource, reason="")
    conditions_decline(actor=g.researcher, resource=g.resource, reason="We cannot share results.")
    g.resource.refresh_from_db()
    g.request.refresh_from_db()
    assert g.resource.status == ResourceStatus.CONDITIONS_DECLINED
    assert g.request.status == RequestStatus.WITHDRAWN


def test_declining_one_of_two_keeps_the_request(biobank_a, biobank_b):
    g = make_conditions_indicated(biobank_a)
    from access_requests.models import RequestResource
    from access_requests.services.workflow import resource_transition

    other = RequestResource.objects.create(request=g.request, biobank=biobank_b)
    resource_transition(resource=other, to=ResourceStatus.CHECKING_AVAILABILITY, actor=g.researcher)
    conditions_decline(actor=g.researcher, resource=g.resource, reason="Too strict.")
    g.request.refresh_from_db()
    assert g.request.status == RequestStatus.DECIDED


def test_only_the_researcher_declines(biobank_a):
    g = make_conditions_indicated(biobank_a)
    with pytest.raises(ForbiddenError):
        conditions_decline(actor=g.chair, resource=g.resource, reason="no")
