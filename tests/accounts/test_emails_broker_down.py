"""A broker that is down when a sign-up commits loses nothing (issue 10, item 4).

The account is committed and the page answers its normal redirect; the e-mail waits in the outbox
(``OutgoingEmail``) and the beat catch-up ``accounts.emails_pending`` sends it, once, when the broker is back.
"""

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from biobank.accounts import services, tasks
from biobank.accounts.choices import Role
from biobank.accounts.emails import outgoing_email_send, queue_email
from biobank.accounts.models import OutgoingEmail, User

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-research-passphrase"


def broker_down():
    return mock.patch.object(
        tasks.deliver_email, "delay", side_effect=OperationalError("[Errno 111] Connection refused")
    )


def catch_up():
    """The beat task, run as the worker would run it, some minutes later."""
    return tasks.emails_pending.delay(older_than_seconds=0).get()


def test_sign_up_with_the_broker_down_answers_its_redirect_and_the_email_follows_once(
    client, django_capture_on_commit_callbacks, caplog
):
    data = {"full_name": "Rita Researcher", "email": "ri@uni.example", "password1": PASSWORD, "password2": PASSWORD}
    with broker_down() as delay, django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:signup"), data)

    assert response.status_code == 302 and response["Location"] == reverse("accounts:signup_done")
    assert delay.call_count == 1  # it was tried, after commit
    assert "not queued" in caplog.text
    user = User.objects.get(email="ri@uni.example")
    assert user.is_researcher and not user.is_active
    [pending] = OutgoingEmail.objects.all()
    assert (pending.template, pending.to, pending.status) == ("verify_email", "ri@uni.example", "pending")
    assert "/accounts/verify/" in pending.body
    assert mail.outbox == []

    assert catch_up() == 1  # the broker is back: the beat task runs
    assert catch_up() == 0
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ri@uni.example"]
    pending.refresh_from_db()
    assert (pending.status, pending.attempts, pending.body) == ("sent", 1, "")  # the one-time link is not kept
    assert pending.sent_at is not None

    link = re.search(r"http://\S+/accounts/verify/\S+/", mail.outbox[0].body).group(0)
    client.get(link.split("127.0.0.1:8000", 1)[1])
    user.refresh_from_db()
    assert user.is_active  # the late link works


def test_set_password_email_of_a_new_member_survives_the_broker_being_down(
    biobank_a, admin_a, django_capture_on_commit_callbacks
):
    with broker_down(), django_capture_on_commit_callbacks(execute=True):
        user, created = services.member_add(
            actor=admin_a, biobank=biobank_a, email="new.person@example.org", roles=[Role.TECHNICIAN]
        )
    assert created and User.objects.filter(pk=user.pk).exists()
    assert OutgoingEmail.objects.get().template == "set_password"
    assert mail.outbox == []

    assert catch_up() == 1
    assert catch_up() == 0
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["new.person@example.org"]
    assert "/accounts/reset/" in mail.outbox[0].body


def test_with_the_broker_up_the_email_goes_out_after_commit_and_the_catch_up_has_nothing_to_do(
    client, django_capture_on_commit_callbacks
):
    data = {"full_name": "Rita Researcher", "email": "ri@uni.example", "password1": PASSWORD, "password2": PASSWORD}
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(reverse("accounts:signup"), data)
    assert OutgoingEmail.objects.get().status == "pending" and mail.outbox == []  # nothing sent inside it
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1 and OutgoingEmail.objects.get().status == "sent"
    assert catch_up() == 0 and len(mail.outbox) == 1


def test_a_rolled_back_transaction_sends_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        from django.db import transaction

        with transaction.atomic():
            queue_email(template="account_exists", to="a@example.org", context={"link": "http://x/"})
            raise RuntimeError
    assert not OutgoingEmail.objects.exists() and mail.outbox == []


def test_a_refusing_mail_server_is_recorded_and_the_catch_up_sends_later(django_capture_on_commit_callbacks):
    refused = mock.patch(
        "django.core.mail.backends.locmem.EmailBackend.send_messages", side_effect=ConnectionRefusedError
    )
    with refused:
        with django_capture_on_commit_callbacks(execute=True):
            email = queue_email(template="account_exists", to="a@example.org", context={"link": "http://x/"})
        assert catch_up() == 0
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("pending", 2)  # the task after commit, then the catch-up
    assert email.last_error.startswith("ConnectionRefusedError") and "http://x/" in email.body
    assert mail.outbox == []
    assert catch_up() == 1
    email.refresh_from_db()
    assert (email.status, email.attempts, email.body) == ("sent", 3, "")
    assert len(mail.outbox) == 1


def test_a_sent_email_is_not_sent_again_by_a_second_task():
    with broker_down():
        email = queue_email(template="account_exists", to="a@example.org", context={"link": "http://x/"})
    assert outgoing_email_send(email_id=email.pk) is True
    assert outgoing_email_send(email_id=email.pk) is False
    assert tasks.deliver_email.delay(email_id=email.pk) is not None
    assert len(mail.outbox) == 1


def test_the_catch_up_leaves_fresh_rows_to_their_own_task_and_gives_up_stale_ones():
    with broker_down():
        fresh = queue_email(template="account_exists", to="fresh@example.org", context={"link": "http://x/"})
        stale = queue_email(template="account_exists", to="stale@example.org", context={"link": "http://x/"})
        old_sent = queue_email(template="account_exists", to="old@example.org", context={"link": "http://x/"})
    OutgoingEmail.objects.filter(pk=stale.pk).update(created_at=timezone.now() - timedelta(days=4))
    OutgoingEmail.objects.filter(pk=old_sent.pk).update(
        status="sent", body="", sent_at=timezone.now() - timedelta(days=31)
    )

    assert tasks.emails_pending.delay().get() == 0  # default: only rows pending for over two minutes
    stale.refresh_from_db()
    assert (stale.status, stale.body) == ("failed", "")  # its links are dead: given up, body blanked
    assert not OutgoingEmail.objects.filter(pk=old_sent.pk).exists()  # sent rows are not kept for ever
    fresh.refresh_from_db()
    assert fresh.status == "pending" and mail.outbox == []
