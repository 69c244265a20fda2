"""Invitations to the donor portal: one-time links that expire, open only their own account, and are audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from biobank.audit.models import AuditOutbox
from biobank.errors import DomainError, ForbiddenError
from consent.models import DonorInvitation, DonorMessage
from consent.services.portal import donor_invitation_peek, donor_invitation_redeem, donor_invite
from consent.services.portal.accounts import INVITATION_LIFETIME, invitation_link
from tests.consent.factories import make_donor

pytestmark = pytest.mark.django_db


def test_the_first_invitation_makes_a_passwordless_donor_account_from_the_vault_email(jane):
    user = jane.account.user
    assert user.is_donor and not user.has_usable_password()
    assert user.email == "jane.schmidt@example.org"
    assert jane.account.donor == jane.donor


def test_only_the_hash_of_the_token_is_stored_and_the_link_expires_in_two_weeks(jane):
    invitation = DonorInvitation.objects.get(account=jane.account)
    assert jane.token not in invitation.token_sha256
    assert invitation.expires_at - invitation.created_at == INVITATION_LIFETIME


def test_the_invitation_is_emailed_and_kept_in_the_portal_without_the_link(jane, django_capture_on_commit_callbacks):
    message = DonorMessage.objects.get(account=jane.account)
    assert invitation_link(jane.token) in message.email.body
    assert jane.token not in message.body  # the portal copy never shows the secret link
    assert "e-mail" in message.body


def test_the_invitation_email_goes_out_after_commit(biobank_a, consent_officer_a, django_capture_on_commit_callbacks):
    from tests.consent.portal_fixtures import portal_donor

    with django_capture_on_commit_callbacks(execute=True):
        donor = portal_donor(biobank_a, consent_officer_a)
    assert [m.to for m in mail.outbox if donor.token in m.body] == [["jane.schmidt@example.org"]]


def test_a_link_works_once(jane):
    assert donor_invitation_redeem(token=jane.token) == jane.account
    with pytest.raises(DomainError) as error:
        donor_invitation_redeem(token=jane.token)
    assert error.value.code == "used"
    assert "used already" in error.value.message


def test_peeking_does_not_spend_the_link(jane):
    donor_invitation_peek(token=jane.token)
    donor_invitation_peek(token=jane.token)
    assert donor_invitation_redeem(token=jane.token) == jane.account


def test_an_expired_link_is_refused_with_its_date(jane):
    now = timezone.now()
    DonorInvitation.objects.filter(account=jane.account).update(
        created_at=now - INVITATION_LIFETIME - timedelta(minutes=1), expires_at=now - timedelta(minutes=1)
    )
    with pytest.raises(DomainError) as error:
        donor_invitation_redeem(token=jane.token)
    assert error.value.code == "expired"


@pytest.mark.parametrize("token", ["", "x", "A" * 43, "../../etc/passwd"])
def test_a_made_up_link_is_invalid(jane, token):
    with pytest.raises(DomainError) as error:
        donor_invitation_redeem(token=token)
    assert error.value.code == "invalid"


def test_a_link_opens_only_its_own_account(jane, karl):
    assert donor_invitation_redeem(token=karl.token).donor == karl.donor
    assert donor_invitation_redeem(token=jane.token).donor == jane.donor


def test_a_closed_account_cannot_use_its_link(jane):
    jane.account.user.is_active = False
    jane.account.user.save()
    with pytest.raises(DomainError) as error:
        donor_invitation_redeem(token=jane.token)
    assert error.value.code == "revoked"


def test_a_second_invitation_reuses_the_account(jane, consent_officer_a):
    again = donor_invite(actor=consent_officer_a, donor=jane.donor, language="de")
    assert again.account == jane.account
    jane.account.refresh_from_db()
    assert jane.account.language == "de"
    assert DonorMessage.objects.filter(account=jane.account).count() == 2


def test_a_donor_without_an_email_cannot_be_invited(biobank_a, consent_officer_a):
    donor = make_donor(biobank_a)
    with pytest.raises(DomainError) as error:
        donor_invite(actor=consent_officer_a, donor=donor)
    assert error.value.code == "no_email"


def test_an_email_of_a_staff_member_is_not_turned_into_a_donor_account(biobank_a, consent_officer_a, technician_a):
    from consent import services

    donor = services.donor_register(
        actor=consent_officer_a,
        biobank=biobank_a,
        given_names="Tom",
        family_name="Tech",
        date_of_birth="1980-01-01",
        email=technician_a.email,
    ).donor
    with pytest.raises(DomainError) as error:
        donor_invite(actor=consent_officer_a, donor=donor)
    assert error.value.code == "email_taken"
    technician_a.refresh_from_db()
    assert not technician_a.is_donor


def test_only_consent_staff_of_the_donors_biobank_invite(jane, technician_a, consent_officer_b):
    for actor in (technician_a, consent_officer_b):
        with pytest.raises(ForbiddenError):
            donor_invite(actor=actor, donor=jane.donor)


def test_invitations_and_sign_ins_are_audited(jane):
    donor_invitation_redeem(token=jane.token)
    actions = set(AuditOutbox.objects.values_list("action", flat=True))
    assert {"donor.portal_account_create", "donor.portal_invite", "donor.portal_sign_in"} <= actions
