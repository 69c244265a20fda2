"""E-mail delivery runs in the worker (or eagerly without a broker), so a slow mail server never blocks a page."""

from __future__ import annotations

from celery import shared_task
from django.core.mail import EmailMultiAlternatives


@shared_task(bind=True, max_retries=5, default_retry_delay=60, acks_late=True)
def send_email(self, *, subject: str, body: str, to: list[str], html: str | None = None) -> None:
    message = EmailMultiAlternatives(subject=subject, body=body, to=to)
    if html:
        message.attach_alternative(html, "text/html")
    try:
        message.send()
    except OSError as error:  # mail server unreachable: try again later
        raise self.retry(exc=error) from error
