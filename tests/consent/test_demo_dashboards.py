"""seed_demo fills the dashboard tiles that were empty on the demo: the consent officer's re-consent campaign, the
identity steward's re-identifications and the auditor's sensitive reads, all written through the services."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from biobank.accounts.models import Biobank, User
from biobank.audit.models import AuditEvent
from consent.demo_dashboards import CAMPAIGN_TITLE, CANDIDATES, LOOKUP, RECONSENTED, VIEWS
from consent.models import Consent, ReconsentCampaign
from consent.selectors.dashboard import (
    SENSITIVE_READS,
    consent_work_by_biobank,
    sensitive_reads_by_biobank,
    steward_work_by_biobank,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings, django_capture_on_commit_callbacks) -> Biobank:
    settings.DEMO_MODE = True
    for _ in range(2):  # twice: the second run adds nothing
        with django_capture_on_commit_callbacks(execute=True):
            call_command("seed_demo", stdout=StringIO())
    return Biobank.objects.get(code="ukrm-biobank")


def person(email: str) -> User:
    return User.objects.get(email=email)


def test_the_consent_officer_sees_one_open_campaign_with_some_donors_re_consented_and_some_pending(seeded):
    work = consent_work_by_biobank(user=person("consent@example.org"), biobank_ids=[seeded.pk])[seeded.pk]
    assert [campaign.title for campaign in work.campaigns] == [CAMPAIGN_TITLE]
    campaign = work.campaigns[0]
    assert campaign.reconsented == RECONSENTED
    assert campaign.invited > campaign.reconsented  # the rest are still to answer, the demo donor among them
    assert ReconsentCampaign.objects.filter(biobank=seeded).count() == 1
    signed = Consent.objects.filter(template__campaigns__isnull=False)
    assert signed.count() == RECONSENTED and not signed.filter(donor__account__user__email="donor@example.org")


def test_the_steward_sees_the_re_identifications_with_their_reasons(seeded):
    work = steward_work_by_biobank(user=person("steward@example.org"), biobank_ids=[seeded.pk])[seeded.pk]
    assert [read.action for read in work.reidentifications] == [
        "donor.identity_lookup",
        "donor.identity_view",
        "donor.identity_view",
    ]
    assert all(read.actor == "steward@example.org" for read in work.reidentifications)
    reasons = AuditEvent.objects.filter(biobank=seeded, action__startswith="donor.identity_").values_list(
        "reason", flat=True
    )
    assert sorted(reasons) == sorted([*VIEWS, LOOKUP])


def test_the_auditor_sees_the_sensitive_reads_once_however_often_the_demo_is_seeded(seeded):
    reads = sensitive_reads_by_biobank(user=person("auditor@example.org"), biobank_ids=[seeded.pk])[seeded.pk]
    assert {read.action for read in reads} == {
        "donor.identity_view",
        "donor.identity_lookup",
        "duplicate_review.candidates_view",
    }
    assert {read.label for read in reads} == {  # in words on the tile, not the stored code
        "Identity viewed",
        "Identity looked up by hospital ID",
        "Candidates of a possible duplicate viewed",
    }
    events = AuditEvent.objects.filter(biobank=seeded, action__in=SENSITIVE_READS)
    assert events.count() == 4
    assert events.get(action="duplicate_review.candidates_view").reason == CANDIDATES
