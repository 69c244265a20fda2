"""Staff's reads of dynamic consent: invitation states, propagation steps in plain words, the versions a campaign
may be about, the message wording per kind and language."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from consent import services
from consent.models import DonorInvitation
from consent.selectors.portal_staff import (
    campaign_templates,
    donor_portal_status,
    invitation_state,
    message_wordings,
    step_summary,
)
from tests.consent.factories import make_catalogue

pytestmark = pytest.mark.django_db


def test_steps_are_summarised_in_plain_words():
    assert (
        step_summary("specimens.consent_block", {"blocked": 12, "reservations_cancelled": 2})
        == "12 specimens consent-blocked, 2 reservations cancelled"
    )
    assert step_summary("specimens.consent_block", {"blocked": 1, "reservations_cancelled": 0}) == (
        "1 specimen consent-blocked, 0 reservations cancelled"
    )
    assert step_summary("specimens.consent_block", 3) == "3 specimens consent-blocked"
    assert step_summary("other.effect", {"notified": 4}) == "notified: 4"
    assert step_summary("other.effect", None) == "done"
    assert step_summary("other.effect", {}) == "nothing to do"


def test_an_invitation_is_sent_used_expired_or_revoked():
    now = timezone.now()
    invitation = DonorInvitation(created_at=now, expires_at=now + timedelta(days=14))
    assert invitation_state(invitation, now=now) == "sent"
    assert invitation_state(invitation, now=now + timedelta(days=15)) == "expired"
    invitation.revoked_at = now
    assert invitation_state(invitation, now=now) == "revoked"
    invitation.used_at = now
    assert invitation_state(invitation, now=now) == "used"


def test_the_portal_status_of_a_donor_without_and_with_an_account(consent_officer_a, donor_a):
    assert donor_portal_status(donor_a).account is None
    services.portal.donor_invite(actor=consent_officer_a, donor=donor_a)
    status = donor_portal_status(donor_a)
    assert status.account is not None and status.invitation_state == "sent"


def test_only_an_active_consent_version_with_older_versions_can_be_a_campaigns_subject(
    biobank_a, biobank_b, consent_officer_a
):
    v1 = make_catalogue(biobank_a, actor=consent_officer_a)
    assert list(campaign_templates(biobank_a)) == []
    draft = services.template_new_version(actor=consent_officer_a, previous=v1, version_label="v2")
    assert list(campaign_templates(biobank_a)) == []
    v2 = services.template_activate(actor=consent_officer_a, template=draft)
    assert list(campaign_templates(biobank_a)) == [v2]
    assert list(campaign_templates(biobank_b)) == []


def test_every_kind_in_both_languages_with_the_edited_ones_marked(biobank_a, biobank_b, consent_officer_a):
    services.portal.message_template_save(
        actor=consent_officer_a, biobank=biobank_a, kind="choice_changed", language="en", subject="S", body="B"
    )
    rows = message_wordings(biobank_a)
    assert len(rows) == 8
    assert [(r.kind, r.language) for r in rows if r.custom] == [("choice_changed", "en")]
    assert not any(r.custom for r in message_wordings(biobank_b))
