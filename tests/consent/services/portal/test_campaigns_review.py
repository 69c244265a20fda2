"""Adversarial review of issue 13 (branch ``review``): who a re-consent campaign contacts. Each test reproduces a
finding; Each finding is fixed; the test keeps it so."""

from __future__ import annotations

import pytest

from biobank.accounts.models import OutgoingEmail
from consent import services
from consent.models import CampaignTarget
from consent.services.portal import donor_self_withdraw, reconsent_campaign_create

pytestmark = pytest.mark.django_db


def _v2(officer, template):
    v2 = services.template_new_version(actor=officer, previous=template, version_label="v2")
    return services.template_activate(actor=officer, template=v2)


def test_a_donor_who_asked_not_to_be_contacted_gets_no_campaign_email(jane, karl, consent_officer_a):
    donor_self_withdraw(account=jane.account, level="no_further_contact")
    v2 = _v2(consent_officer_a, jane.template)

    campaign = reconsent_campaign_create(actor=consent_officer_a, template=v2, title="Version 2")

    target = CampaignTarget.objects.get(campaign=campaign, donor=jane.donor)
    assert target.invitation is None  # not contacted; listed as skipped with the reason
    assert CampaignTarget.objects.get(campaign=campaign, donor=karl.donor).invitation is not None


def test_a_closed_portal_account_gets_no_campaign_email(jane, karl, consent_officer_a):
    jane.account.user.is_active = False
    jane.account.user.save(update_fields=["is_active"])
    v2 = _v2(consent_officer_a, jane.template)
    before = OutgoingEmail.objects.filter(to=jane.account.user.email).count()

    campaign = reconsent_campaign_create(actor=consent_officer_a, template=v2, title="Version 2")

    assert CampaignTarget.objects.get(campaign=campaign, donor=jane.donor).invitation is None
    assert OutgoingEmail.objects.filter(to=jane.account.user.email).count() == before
