"""Thin Celery tasks of notifications and webhooks: ids over JSON, late acknowledgement, safe to run twice."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task


@shared_task(name="access_requests.webhook_deliver", acks_late=True, ignore_result=True)
def webhook_deliver(*, delivery_id: int) -> bool:
    """Send one webhook delivery now (queued after the event's dispatch commits); a failure schedules a retry."""
    from .services.webhooks import webhook_delivery_attempt

    return webhook_delivery_attempt(delivery_id=delivery_id)


@shared_task(name="access_requests.webhooks_pending", acks_late=True, ignore_result=True)
def webhooks_pending(*, limit: int = 200) -> int:
    """Every minute: deliveries whose next attempt is due (retries, and first tries a broker outage lost)."""
    from .services.webhooks import webhook_deliveries_due

    return webhook_deliveries_due(limit=limit)


@shared_task(name="access_requests.notifications_missing", acks_late=True, ignore_result=True)
def notifications_missing(*, older_than_seconds: int = 120, limit: int = 500) -> int:
    """Every minute: events older than 2 minutes whose dispatch (notifications, e-mails, webhooks) was lost."""
    from .services.notifications import events_undispatched_catch_up

    return events_undispatched_catch_up(older_than=timedelta(seconds=older_than_seconds), limit=limit)
