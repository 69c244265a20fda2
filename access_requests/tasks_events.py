"""The request event's after-commit work, in a worker: every listener registered with
``workflow.on_request_event`` (notifications, e-mails, webhooks) runs here, not in the web request that caused it."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="access_requests.event_listeners_run", acks_late=True, ignore_result=True)
def event_listeners_run(*, event_id: int) -> int:
    """Run every registered listener for one event; each listener is safe to run twice (it marks what it did)."""
    from .services.workflow import listeners_run

    return listeners_run(event_id=event_id)
