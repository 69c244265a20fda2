"""Every donor-portal page renders for its donor, and only for them: another donor's consent, receipt or message is
a 404, ids guessed are 404, staff and people without a donor account get 404, anonymous visitors the sign-in."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest

from biobank.audit.models import AuditOutbox
from consent.models import DonorMessage

PAGES = [
    "/my/",
    "/my/history/",
    "/my/projects/",
    "/my/messages/",
    "/my/preferences/",
    "/my/withdraw/",
    "/my/choices/recontact/",
]


@pytest.mark.parametrize("url", PAGES)
def test_each_page_renders_for_its_donor(as_jane, url):
    response = as_jane.get(url)

    assert response.status_code == 200, url
    assert response["Cache-Control"].startswith("max-age=0") or "no-cache" in response["Cache-Control"]


def test_home_shows_the_choices_the_signed_version_its_receipt_and_the_way_out(as_jane, jane):
    page = as_jane.get("/my/").content.decode()

    assert "Recontact" in page and "Research with publication" in page
    assert f'href="/my/consents/{jane.consent.pk}/"' in page
    assert f'href="/my/consents/{jane.consent.pk}/receipt.pdf"' in page
    assert 'href="/my/choices/recontact/"' in page
    assert 'href="/my/withdraw/"' in page


def test_the_signed_version_shows_its_text_parts_and_answers(as_jane, jane):
    page = as_jane.get(f"/my/consents/{jane.consent.pk}/").content.decode()

    assert "I agree that my data and biomaterial may be used for medical research." in page
    assert "We may contact you." in page
    assert "Yes, I agree" in page and "No, I do not agree" in page


def test_the_signed_version_in_german_shows_the_german_text(client, make_portal_donor):
    donor = make_portal_donor(language="de")  # the account's language is English: the page follows the signature
    client.force_login(donor.user)

    page = client.get(f"/my/consents/{donor.consent.pk}/").content.decode()

    assert "Ich willige ein, dass meine Daten" in page


def test_the_receipt_downloads_through_the_donors_session_and_is_audited(as_jane, jane):
    response = as_jane.get(f"/my/consents/{jane.consent.pk}/receipt.pdf")

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    data = b"".join(response) if response.streaming else response.content
    assert hashlib.sha256(data).hexdigest() == jane.consent.receipt_sha256
    assert AuditOutbox.objects.filter(object_id=str(jane.consent.pk), action__contains="receipt").exists()


def test_another_donors_consent_receipt_and_message_are_404(as_jane, max_):
    message = DonorMessage.objects.filter(account=max_.account).first()
    assert message is not None  # the invitation is kept as a message

    for url in (
        f"/my/consents/{max_.consent.pk}/",
        f"/my/consents/{max_.consent.pk}/receipt.pdf",
        f"/my/messages/{message.pk}/",
    ):
        response = as_jane.get(url)
        assert response.status_code == 404, url
        assert "Oberländer" not in response.content.decode()
    message.refresh_from_db()
    assert message.read_at is None


def test_guessed_ids_are_404(as_jane, jane):
    for url in (
        f"/my/consents/{jane.consent.pk + 1000}/",
        f"/my/consents/{jane.consent.pk + 1000}/receipt.pdf",
        "/my/messages/999999/",
        "/my/choices/no-such-module/",
        "/my/reconsent/999999/",
        f"/my/reconsent/{jane.consent.template_id}/",  # the version already signed: nothing newer to sign
    ):
        assert as_jane.get(url).status_code == 404, url


@pytest.mark.parametrize("url", [*PAGES, "/my/consents/1/", "/my/withdraw/done/"])
def test_staff_get_404_on_every_page(client, consent_officer_a, jane, url):
    client.force_login(consent_officer_a)

    assert client.get(url).status_code == 404


def test_a_staff_member_cannot_open_a_donors_consent(client, consent_officer_a, jane):
    client.force_login(consent_officer_a)

    assert client.get(f"/my/consents/{jane.consent.pk}/").status_code == 404
    assert client.get(f"/my/consents/{jane.consent.pk}/receipt.pdf").status_code == 404


def test_a_donor_user_without_an_account_gets_404(client, db):
    from tests.accounts.factories import UserFactory

    client.force_login(UserFactory(is_donor=True))

    assert client.get("/my/").status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get("/my/")

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_projects_page_has_an_honest_empty_state(as_jane):
    page = as_jane.get("/my/projects/").content.decode()

    assert "No approved research project has received your samples or data yet." in page


def test_the_pages_are_in_the_accounts_language(client, jane):
    jane.account.language = "de"
    jane.account.save(update_fields=["language"])
    client.force_login(jane.user)

    response = client.get("/my/")

    assert response["Content-Language"] == "de"
    assert 'lang="de"' in response.content.decode()


def test_the_dashboard_leads_a_donor_to_their_page(as_jane):
    assert 'href="/my/"' in as_jane.get("/").content.decode()


def test_the_projects_page_lists_what_a_registered_source_reports_for_this_donor_only(as_jane, jane, monkeypatch):
    from consent.selectors import portal

    asked = []

    def source(donor_ids):
        asked.append(donor_ids)
        return [
            {
                "title": "Liver cancer markers",
                "institution": "University Hospital",
                "purpose": "Finding early markers of liver cancer",
                "start": date(2026, 1, 5),
                "end": None,
            }
        ]

    monkeypatch.setattr(portal, "_PROJECT_SOURCES", [source])

    page = as_jane.get("/my/projects/").content.decode()

    assert "Liver cancer markers" in page and "University Hospital" in page
    assert asked == [frozenset({jane.donor.pk})]


@pytest.mark.parametrize(
    ("language", "said", "not_said"),
    [
        ("de", ["Meine Einwilligung widerrufen", "Ihre Entscheidungen heute", "Abmelden"], "Withdraw my consent"),
        ("en", ["Withdraw my consent", "Your choices today", "Sign out"], "Meine Einwilligung widerrufen"),
    ],
)
def test_the_home_page_speaks_the_accounts_language_from_the_catalogue(client, jane, language, said, not_said):
    jane.account.language = language
    jane.account.save(update_fields=["language"])
    client.force_login(jane.user)

    page = client.get("/my/").content.decode()

    assert all(text in page for text in said), [text for text in said if text not in page]
    assert not_said not in page
