"""E-mails sent to people: rendered and recorded in the caller's transaction, delivered after it commits.

``queue_email`` writes an ``OutgoingEmail`` row in the same transaction as the change that calls for it (a new
account, a reset request...) and queues ``accounts.deliver_email`` after commit (``biobank.ops.after_commit``). A
broker that is down loses nothing: the beat task ``accounts.emails_pending`` sends what is still pending a few
minutes later. Each row is sent at most once by the portal (locked with ``SKIP LOCKED`` and marked sent in one
transaction); if the database fails between the mail server's answer and the commit, the person may get it twice.

The body (with its one-time link) is kept only while the row is pending: it is blanked once sent or given up, and
a row still pending after ``GIVE_UP_AFTER`` is given up (its links have expired by then).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from biobank.ops.after_commit import after_commit

from .models import OutgoingEmail, User

logger = logging.getLogger(__name__)

GIVE_UP_AFTER = timedelta(days=3)  # the longest-lived link e-mailed (researcher verification) is dead by then
KEEP_SENT = timedelta(days=30)  # sent rows (address, subject, no body) are then deleted


def queue_email(*, template: str, to: str, context: dict) -> OutgoingEmail:
    """Render ``templates/emails/<template>_subject.txt`` and ``..._body.txt``, record them, send after commit."""
    context = {"site_url": settings.SITE_URL, **context}
    subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
    body = render_to_string(f"emails/{template}_body.txt", context)
    email = OutgoingEmail.objects.create(template=template, to=to, subject=subject[:255], body=body)
    from .tasks import deliver_email

    after_commit(deliver_email, email_id=email.pk)
    return email


def queue_rendered_email(*, template: str, to: str, subject: str, body: str) -> OutgoingEmail:
    """Like ``queue_email`` for a message already rendered by its caller (wording that staff edit, in the
    recipient's language): recorded in the caller's transaction, sent after commit or by the catch-up."""
    email = OutgoingEmail.objects.create(template=template, to=to, subject=" ".join(subject.split())[:255], body=body)
    from .tasks import deliver_email

    after_commit(deliver_email, email_id=email.pk)
    return email


def outgoing_email_send(*, email_id: int) -> bool:
    """Send one pending e-mail; ``True`` if it went out now.

    ``False`` when it was sent already, is being sent by another worker (the row is locked: skipped, not waited
    for), was given up, or the mail server refused it (the error is recorded and the catch-up tries again).
    """
    with transaction.atomic():
        email = (
            OutgoingEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=email_id, status=OutgoingEmail.Status.PENDING)
            .first()
        )
        if email is None:
            return False
        email.attempts += 1
        try:
            EmailMultiAlternatives(subject=email.subject, body=email.body, to=[email.to]).send()
        except Exception as error:  # SMTP down, refused, timed out: recorded, sent again by the catch-up
            email.last_error = f"{type(error).__name__}: {error}"[:500]
            email.save(update_fields=["attempts", "last_error"])
            logger.warning("E-mail %s (%s) not sent: %s", email.pk, email.template, email.last_error)
            return False
        email.status = OutgoingEmail.Status.SENT
        email.sent_at = timezone.now()
        email.body = ""  # the one-time link is not kept once delivered
        email.save(update_fields=["attempts", "status", "sent_at", "body"])
        return True


def outgoing_emails_catch_up(*, older_than: timedelta, limit: int = 200) -> int:
    """Send pending e-mails queued more than ``older_than`` ago (their dispatch was lost); returns how many went out.

    Also gives up rows pending longer than ``GIVE_UP_AFTER`` (body blanked) and deletes sent rows older than
    ``KEEP_SENT``.
    """
    now = timezone.now()
    pending = OutgoingEmail.objects.filter(status=OutgoingEmail.Status.PENDING)
    given_up = pending.filter(created_at__lt=now - GIVE_UP_AFTER).update(status=OutgoingEmail.Status.FAILED, body="")
    if given_up:
        logger.error("%s e-mail(s) given up after %s pending.", given_up, GIVE_UP_AFTER)
    OutgoingEmail.objects.filter(status=OutgoingEmail.Status.SENT, sent_at__lt=now - KEEP_SENT).delete()
    ids = list(pending.filter(created_at__lt=now - older_than).values_list("pk", flat=True)[:limit])
    return sum(outgoing_email_send(email_id=email_id) for email_id in ids)


def password_reset_link(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.SITE_URL + reverse("accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": token})


def send_set_password_email(*, user_id: int) -> None:
    """A person added to a biobank by an admin gets a link to choose their password (call inside the transaction)."""
    user = User.objects.get(pk=user_id)
    queue_email(template="set_password", to=user.email, context={"user": user, "link": password_reset_link(user)})
