"""Messages (each e-mail also appears in the portal; opening one marks it read) and notification preferences."""

from __future__ import annotations

from consent.models import DonorMessage


def test_the_invitation_appears_among_the_messages_and_opening_marks_it_read(as_jane, jane):
    message = DonorMessage.objects.filter(account=jane.account).first()
    listing = as_jane.get("/my/messages/").content.decode()
    assert message.subject in listing and "data-unread" in listing

    page = as_jane.get(f"/my/messages/{message.pk}/")

    assert page.status_code == 200
    message.refresh_from_db()
    assert message.read_at is not None
    assert "data-unread" not in as_jane.get("/my/messages/").content.decode()


def test_preferences_are_saved_and_the_language_follows(as_jane, jane):
    response = as_jane.post("/my/preferences/", {"notify_results": "on", "language": "de"})

    assert response.status_code == 302
    jane.account.refresh_from_db()
    assert (jane.account.notify_news, jane.account.notify_results, jane.account.notify_recontact) == (
        False,
        True,
        False,
    )
    assert jane.account.language == "de"
    assert as_jane.get("/my/")["Content-Language"] == "de"


def test_preferences_link_to_the_second_factor_setup(as_jane):
    assert 'href="/accounts/mfa/setup/"' in as_jane.get("/my/preferences/").content.decode()


def test_an_unknown_language_is_refused_at_the_field(as_jane, jane):
    response = as_jane.post("/my/preferences/", {"language": "xx"})

    assert response.status_code == 400 and "language" in response.context["form"].errors
    jane.account.refresh_from_db()
    assert jane.account.language == "en"
