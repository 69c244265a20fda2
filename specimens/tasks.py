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
