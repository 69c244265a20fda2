"""Thin Celery tasks of the access-requests app: ids over JSON, late acknowledgement, safe to run twice."""

from __future__ import annotations

from celery import shared_task


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
