"""Thin Celery tasks of the specimens app: ids over JSON, late acknowledgement, safe to run twice."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="specimens.import_check", acks_late=True, ignore_result=True)
def import_check(*, job_id: int) -> str:
    """The dry run of an uploaded import file (the whole file, every problem)."""
    from .services.imports import import_check as check

    job = check(job_id=job_id)
    return job.status if job else "skipped"


@shared_task(name="specimens.import_commit", acks_late=True, ignore_result=True)
def import_commit(*, job_id: int) -> str:
    """The all-or-nothing import of a checked file."""
    from .services.imports import import_commit as commit

    return commit(job_id=job_id).status


@shared_task(name="specimens.imports_pending", acks_late=True, ignore_result=True)
def imports_pending(*, older_than_seconds: int = 600) -> int:
    """Periodic catch-up: import jobs whose check or import was never queued (broker down at commit)."""
    from .services.imports import imports_pending as pending

    return pending(older_than_seconds=older_than_seconds)
