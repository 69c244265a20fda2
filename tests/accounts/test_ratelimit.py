"""Public forms that send e-mail stop after a few attempts, so nobody can use the portal to flood a mailbox."""

import pytest
from django.core import mail

from biobank.accounts.ratelimit import EMAIL_FORM_LIMIT
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_donor_link_is_sent_at_most_the_limit_and_then_the_form_says_why(client, django_capture_on_commit_callbacks):
    UserFactory(email="donor@example.org", is_donor=True)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(EMAIL_FORM_LIMIT):
            assert client.post("/accounts/donor/", {"email": "donor@example.org"}).status_code == 302
        refused = client.post("/accounts/donor/", {"email": "donor@example.org"})

    assert refused.status_code == 429
    assert "Too many requests for this form. Nothing was sent" in refused.content.decode()
    assert len(mail.outbox) == EMAIL_FORM_LIMIT


def test_one_address_cannot_be_flooded_from_many_clients(client, django_capture_on_commit_callbacks):
    UserFactory(email="someone@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(EMAIL_FORM_LIMIT + 1):
            response = client.post(
                "/accounts/password/reset/", {"email": "someone@example.org"}, REMOTE_ADDR=f"10.0.0.{number}"
            )

    assert response.status_code == 429
    assert len(mail.outbox) == EMAIL_FORM_LIMIT


def test_sign_ups_from_one_client_are_limited_and_write_nothing_more(client):
    from biobank.accounts.models import User

    for number in range(EMAIL_FORM_LIMIT + 1):
        response = client.post(
            "/accounts/signup/",
            {
                "email": f"researcher{number}@example.org",
                "full_name": "Dr. Example",
                "password1": "a-long-research-passphrase",
                "password2": "a-long-research-passphrase",
            },
        )

    assert response.status_code == 429
    assert User.objects.filter(email__startswith="researcher").count() == EMAIL_FORM_LIMIT
