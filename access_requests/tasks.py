"""Beat tasks of the access-requests app (thin: the work is in the services)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="access_requests.review_reminders", ignore_result=True)
def review_reminders() -> int:
    """Daily: remind reviewers of resources untouched for 5 days (``services.reminders``)."""
    from .services.reminders import review_reminders_send

    return review_reminders_send()
