"""Staff's dynamic-consent pages per role: inviting a donor to the portal (and what the donor page shows of the
account and of withdrawals), re-consent campaigns with their progress, and the wording of donor messages. A foreign
biobank is a 404, a missing permission a 403 page."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from biobank.accounts.models import OutgoingEmail
from biobank.audit.models import AuditOutbox
from consent import services
from consent.models import DonorAccount, DonorInvitation, MessageTemplate, ReconsentCampaign, WithdrawalPropagation
from consent.services.propagation import withdrawal_propagate
from tests.consent.factories import make_catalogue, record

pytestmark = pytest.mark.django_db


def url(name, *args, code="biobank-a"):
    return reverse(f"consent:{name}", args=[code, *args])


def signed_in(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def no_email_donor(register):
    return register(
        given_names="Paul",
        family_name="Weber",
        date_of_birth=date(1981, 11, 2),
        hospital_id="MRN-777",
        national_id="",
        email="",
    ).donor


@pytest.fixture
def versions(biobank_a, consent_officer_a, donor_a, no_email_donor):
    """``broad`` v1 signed by both donors, then v2 in use."""
    v1 = make_catalogue(biobank_a, actor=consent_officer_a)
    record(consent_officer_a, donor_a, v1)
    record(consent_officer_a, no_email_donor, v1)
    v2 = services.template_new_version(actor=consent_officer_a, previous=v1, version_label="v2")
    v2 = services.template_activate(actor=consent_officer_a, template=v2)
    return v1, v2


# --- the donor page: invitation, account, withdrawals ---------------------------------------------------------------


def test_a_consent_officer_invites_a_donor_and_the_page_shows_the_account_and_the_invitation(
    client, consent_officer_a, donor_a
):
    signed_in(client, consent_officer_a)
    detail = client.get(url("donor_detail", donor_a.pid_display)).content.decode()
    assert "Invite to the donor portal" in detail and "no portal account yet" in detail

    response = client.post(url("donor_invite", donor_a.pid_display), {"language": "de"}, follow=True)

    body = response.content.decode()
    assert "An invitation to the donor portal was e-mailed to donor" in body
    assert "not used yet" in body
    account = DonorAccount.objects.get(donor=donor_a)
    assert account.language == "de" and DonorInvitation.objects.filter(account=account).count() == 1
    assert OutgoingEmail.objects.exists()
    assert AuditOutbox.objects.filter(action="donor.portal_invite").exists()
    assert "jane.schmidt" not in body  # the address stays in the vault


def test_a_used_and_an_expired_invitation_are_shown_as_such(client, consent_officer_a, donor_a):
    invitation = services.portal.donor_invite(actor=consent_officer_a, donor=donor_a)
    month_ago = timezone.now() - timezone.timedelta(days=30)
    DonorInvitation.objects.filter(pk=invitation.pk).update(
        created_at=month_ago, expires_at=month_ago + timezone.timedelta(days=14), used_at=month_ago
    )
    assert (
        ", used " in signed_in(client, consent_officer_a).get(url("donor_detail", donor_a.pid_display)).content.decode()
    )
    again = services.portal.donor_invite(actor=consent_officer_a, donor=donor_a)
    DonorInvitation.objects.filter(pk=again.pk).update(
        created_at=timezone.now() - timezone.timedelta(days=20), expires_at=timezone.now() - timezone.timedelta(days=6)
    )
    assert "unused" in client.get(url("donor_detail", donor_a.pid_display)).content.decode()


def test_a_donor_without_an_email_is_not_invited_and_the_reason_is_shown(client, consent_officer_a, no_email_donor):
    response = signed_in(client, consent_officer_a).post(url("donor_invite", no_email_donor.pid_display), follow=True)
    body = response.content.decode()
    assert "The donor was not invited" in body and "no e-mail address in the identity vault" in body
    assert not DonorAccount.objects.exists()


@pytest.mark.parametrize("persona", ["auditor_a", "steward_a"])
def test_people_who_only_see_donors_get_no_invite_button_and_a_403(client, request, donor_a, persona):
    signed_in(client, request.getfixturevalue(persona))
    assert "Invite to the donor portal" not in client.get(url("donor_detail", donor_a.pid_display)).content.decode()
    assert client.post(url("donor_invite", donor_a.pid_display)).status_code == 403
    assert not DonorAccount.objects.exists()


def test_inviting_in_a_foreign_biobank_or_an_unknown_pid_is_a_404(
    client, consent_officer_b, consent_officer_a, donor_a
):
    assert signed_in(client, consent_officer_b).post(url("donor_invite", donor_a.pid_display)).status_code == 404
    assert signed_in(client, consent_officer_a).post(url("donor_invite", "AAAAA-AAAAA-A")).status_code == 404
    assert client.get(url("donor_invite", donor_a.pid_display)).status_code == 405


def test_the_donor_page_shows_the_withdrawal_propagation_and_its_steps_in_plain_words(
    client, biobank_a, consent_officer_a, auditor_a, donor_a
):
    record(consent_officer_a, donor_a, make_catalogue(biobank_a, actor=consent_officer_a))
    services.donor_withdraw(
        actor=consent_officer_a, donor=donor_a, level="no_further_use", effective=timezone.localdate(), reason="Letter"
    )
    row = WithdrawalPropagation.objects.get(donor=donor_a)
    page = signed_in(client, auditor_a).get(url("donor_detail", donor_a.pid_display)).content.decode()
    assert "Withdrawals and their effects" in page and "No further use" in page and "pending" in page

    withdrawal_propagate(propagation_id=row.pk)

    page = client.get(url("donor_detail", donor_a.pid_display)).content.decode()
    assert "done" in page and "0 specimens consent-blocked, 0 reservations cancelled" in page


# --- re-consent campaigns -------------------------------------------------------------------------------------------


def test_a_consent_officer_starts_a_campaign_and_sees_its_progress(client, consent_officer_a, versions, donor_a):
    _v1, v2 = versions
    signed_in(client, consent_officer_a)
    new = client.get(url("campaign_new")).content.decode()
    assert f'value="{v2.pk}"' in new and f'value="{_v1.pk}"' not in new

    response = client.post(url("campaign_new"), {"template": v2.pk, "title": "Broad consent v2"}, follow=True)

    campaign = ReconsentCampaign.objects.get()
    assert response.redirect_chain[-1][0] == url("campaign_detail", campaign.pk)
    body = response.content.decode()
    assert "1 of 2 donors were invited" in body
    assert donor_a.pid_display in body and "no e-mail address in the identity vault" in body
    assert 'role="img"' in body and "1 invited, not opened yet, 1 not invited" in body
    listing = client.get(url("campaign_list")).content.decode()
    assert "Broad consent v2" in listing and "<svg" in listing


def test_the_campaign_list_costs_the_same_queries_for_one_and_three_campaigns(
    client, consent_officer_a, versions, donor_a, django_assert_num_queries
):
    """The progress of every campaign is read in one query (it was three per campaign), and stays right: a donor who
    re-consented on the new version counts in each campaign about it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from consent.selectors.portal import campaign_progress
    from consent.services.portal.campaigns import reconsent_campaign_create

    _v1, v2 = versions
    signed_in(client, consent_officer_a)
    first = reconsent_campaign_create(actor=consent_officer_a, template=v2, title="One")
    client.get(url("campaign_list"))
    with CaptureQueriesContext(connection) as one:
        client.get(url("campaign_list"))
    record(consent_officer_a, donor_a, v2)
    for title in ("Two", "Three"):
        reconsent_campaign_create(actor=consent_officer_a, template=v2, title=title)

    with django_assert_num_queries(len(one)):
        body = client.get(url("campaign_list")).content.decode()

    assert "Two" in body and "Three" in body
    assert campaign_progress(first)["counts"]["reconsented"] == 1
    exported = b"".join(client.get(url("campaign_list"), {"format": "csv"}).streaming_content).decode("utf-8-sig")
    assert sorted(line.split(",")[0] for line in exported.splitlines()[1:]) == ["One", "Three", "Two"]


def test_a_campaign_s_donors_export_with_their_status_and_the_export_is_audited(
    client, consent_officer_a, consent_officer_b, versions, donor_a
):
    from consent.services.portal.campaigns import reconsent_campaign_create

    _v1, v2 = versions
    campaign = reconsent_campaign_create(actor=consent_officer_a, template=v2, title="Export me")
    signed_in(client, consent_officer_a)
    page = url("campaign_detail", campaign.pk)
    assert f"{page}?format=csv" in client.get(page).content.decode().replace("&amp;", "&")
    before = AuditOutbox.objects.filter(action="donor.export").count()

    exported = b"".join(client.get(page, {"format": "csv"}).streaming_content).decode("utf-8-sig").splitlines()

    assert exported[0] == "PID,Status,Reason" and len(exported) == 3
    assert any(line.startswith(donor_a.pid_display) for line in exported[1:])
    assert AuditOutbox.objects.filter(action="donor.export").count() == before + 1
    signed_in(client, consent_officer_b)
    assert client.get(page, {"format": "csv"}).status_code == 404


def test_campaign_errors_are_shown_at_the_field_and_the_input_kept(client, consent_officer_a, versions):
    _v1, v2 = versions
    response = signed_in(client, consent_officer_a).post(url("campaign_new"), {"template": v2.pk, "title": "   "})
    assert response.status_code == 400 and "This field is required." in response.content.decode()
    response = client.post(url("campaign_new"), {"template": _v1.pk, "title": "Old"})
    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()
    assert not ReconsentCampaign.objects.exists()


def test_without_a_newer_version_the_new_campaign_page_says_so(client, biobank_a, consent_officer_a):
    make_catalogue(biobank_a, actor=consent_officer_a)
    page = signed_in(client, consent_officer_a).get(url("campaign_new")).content.decode()
    assert "No consent form version in use has an older version" in page


def test_campaigns_per_role_and_a_foreign_biobank(
    client, consent_officer_a, auditor_a, technician_a, consent_officer_b, versions
):
    campaign = services.portal.reconsent_campaign_create(actor=consent_officer_a, template=versions[1], title="C")
    signed_in(client, auditor_a)
    assert client.get(url("campaign_list")).status_code == 200
    assert client.get(url("campaign_detail", campaign.pk)).status_code == 200
    assert "New campaign" not in client.get(url("campaign_list")).content.decode()
    assert client.get(url("campaign_new")).status_code == 403
    assert signed_in(client, technician_a).get(url("campaign_list")).status_code == 403
    signed_in(client, consent_officer_b)
    assert client.get(url("campaign_list")).status_code == 404
    assert client.get(url("campaign_detail", campaign.pk)).status_code == 404
    assert client.get(url("campaign_detail", campaign.pk, code="biobank-b")).status_code == 404


# --- donor-message wording ------------------------------------------------------------------------------------------


def test_the_list_shows_every_message_in_both_languages_with_who_edited_it(client, consent_officer_a, biobank_a):
    services.portal.message_template_save(
        actor=consent_officer_a,
        biobank=biobank_a,
        kind="donor_invitation",
        language="de",
        subject="Hallo",
        body="Ihr Link: {{ link }}",
    )
    page = signed_in(client, consent_officer_a).get(url("message_list")).content.decode()
    assert page.count("shipped wording") == 7 and f"edited by {consent_officer_a.email}" in page
    assert url("message_edit", "withdrawal_confirmation", "en") in page


def test_editing_a_message_saves_it_previews_it_and_restores_the_shipped_wording(client, consent_officer_a, biobank_a):
    edit = url("message_edit", "donor_invitation", "en")
    page = signed_in(client, consent_officer_a).get(edit).content.decode()
    assert "{{ link }}" in page and "Example Biobank" in page  # the shipped text to start from, and its preview

    preview = client.post(edit, {"action": "preview", "subject": "Hi from {{ biobank }}", "body": "Go: {{ link }}"})
    assert "Hi from Example Biobank" in preview.content.decode() and not MessageTemplate.objects.exists()

    client.post(edit, {"action": "save", "subject": "Hi from {{ biobank }}", "body": "Go: {{ link }}"})
    assert MessageTemplate.objects.get().subject == "Hi from {{ biobank }}"

    response = client.post(edit, {"action": "reset"}, follow=True)
    assert "The shipped wording is used again" in response.content.decode() and not MessageTemplate.objects.exists()


def test_a_wrong_variable_or_tag_is_shown_at_its_field_and_the_input_kept(client, consent_officer_a):
    edit = url("message_edit", "choice_changed", "de")
    response = signed_in(client, consent_officer_a).post(
        edit, {"action": "save", "subject": "{{ password }}", "body": "{% load evil %}text"}
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "Unknown variable(s) password" in body and "not allowed here: load" in body
    assert "{% load evil %}text" in body or "{% load evil %}text" in body.replace("&#x27;", "'")
    assert not MessageTemplate.objects.exists()


def test_message_pages_per_role_and_unknown_kinds(client, consent_officer_a, auditor_a, consent_officer_b):
    assert signed_in(client, auditor_a).get(url("message_list")).status_code == 403
    assert signed_in(client, consent_officer_b).get(url("message_list")).status_code == 404
    signed_in(client, consent_officer_a)
    assert client.get(url("message_edit", "nonsense", "en")).status_code == 404
    assert client.get(url("message_edit", "donor_invitation", "fr")).status_code == 404
