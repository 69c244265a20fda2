"""E-mail delivery runs in the worker (or eagerly without a broker), so a slow mail server never blocks a page."""

from __future__ import annotations

from celery import shared_task
from django.core.mail import EmailMultiAlternatives


@shared_task(bind=True, max_retries=5, default_retry_delay=60, acks_late=True)
def send_email(self, *, subject: str, body: str, to: list[str], html: str | None = None) -> None:
    """A message not recorded in the outbox (audit alerts to administrators); people's e-mails use ``deliver_email``."""
    message = EmailMultiAlternatives(subject=subject, body=body, to=to)
    if html:
        message.attach_alternative(html, "text/html")
    try:
        message.send()
    except OSError as error:  # mail server unreachable: try again later
        raise self.retry(exc=error) from error


@shared_task(bind=True, name="accounts.deliver_email", acks_late=True, ignore_result=True, max_retries=4)
def deliver_email(self, *, email_id: int) -> bool:
    """Send one ``OutgoingEmail`` (queued after its transaction commits); safe to run twice.

    A mail server that refuses or is down: retried with growing delays (1, 2, 4, 8 minutes) by a worker; in
    process (no broker) the beat catch-up ``accounts.emails_pending`` is the retry.
    """
    from .emails import outgoing_email_send
    from .models import OutgoingEmail

    sent = outgoing_email_send(email_id=email_id)
    if not sent and not self.request.is_eager:
        failed = OutgoingEmail.objects.filter(pk=email_id, status=OutgoingEmail.Status.PENDING, attempts__gt=0).exclude(
            last_error=""
        )
        if failed.exists() and self.request.retries < self.max_retries:
            raise self.retry(countdown=60 * 2**self.request.retries)
    return sent


@shared_task(name="accounts.emails_pending", acks_late=True, ignore_result=True)
def emails_pending(*, older_than_seconds: int = 120, limit: int = 200) -> int:
    """Periodic catch-up: e-mails whose dispatch was lost (broker down) or refused (mail server down) go out here."""
    from datetime import timedelta

    from .emails import outgoing_emails_catch_up

    return outgoing_emails_catch_up(older_than=timedelta(seconds=older_than_seconds), limit=limit)


@shared_task(name="accounts.idempotency_keys_purge", ignore_result=True)
def idempotency_keys_purge() -> int:
    """Hourly: forget the API's idempotency keys once they are older than 24 hours (``biobank.api.idempotency``)."""
    from biobank.api.idempotency import idempotency_keys_purge as purge

    return purge()
