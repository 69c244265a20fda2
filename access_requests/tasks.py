"""Thin Celery tasks of the access-requests app (the work is in the services): ids over JSON, late acknowledgement,
safe to run twice."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="access_requests.entitlements_warn", acks_late=True, ignore_result=True)
def entitlements_warn() -> int:
    """Daily: tell holders once, 30 days ahead, that their access ends."""
    from .services.entitlements import entitlements_warn as warn

    return warn()


@shared_task(name="access_requests.entitlements_expire", acks_late=True, ignore_result=True)
def entitlements_expire() -> int:
    """Daily: end the entitlements whose last day has passed and remove their permissions."""
    from .services.entitlements import entitlements_expire as expire

    return expire()


@shared_task(name="access_requests.review_reminders", ignore_result=True)
def review_reminders() -> int:
    """Daily: remind reviewers of resources untouched for 5 days (``services.reminders``)."""
    from .services.reminders import review_reminders_send

    return review_reminders_send()


@shared_task(name="access_requests.release_build", acks_late=True, ignore_result=True)
def release_build(*, release_id: int) -> str:
    """Build one queued release (queued after the request's transaction commits)."""
    from .services.releases import release_build as build

    release = build(release_id=release_id)
    return release.status if release is not None else "skipped"


@shared_task(name="access_requests.releases_queued", acks_late=True, ignore_result=True)
def releases_queued(*, older_than_seconds: int = 60, limit: int = 50) -> int:
    """Periodic catch-up: releases still queued a minute after they were asked for (dispatch lost) are built here."""
    from .services.releases import release_build as build
    from .services.releases import releases_queued_ids

    ids = releases_queued_ids(older_than_seconds=older_than_seconds, limit=limit)
    for release_id in ids:
        build(release_id=release_id)
    return len(ids)
