"""Celery tasks of the facts: the debounced recompute of stale collections, its catch-up, the nightly full run.

``schedule_recompute()`` is what a change calls (any number of times per transaction): after commit it queues
``catalog.facts_recompute_dirty`` with a ``DEBOUNCE_SECONDS`` countdown, at most once per that window (a cache key),
so a burst of registrations is one recompute. The marks themselves (``FactsRecompute``) are written by database
triggers in the transaction of the change; a lost dispatch (broker down) or a change made outside the services
(a donor's birth date) is picked up by the periodic ``catalog.facts_recompute_dirty`` of the beat schedule. Without
a broker (development, tests) the task runs in-process at commit, without the countdown.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.cache import cache

from biobank.ops.after_commit import after_commit, publish

DEBOUNCE_SECONDS = 10
_SCHEDULED_KEY = "catalog:facts:recompute-scheduled"


@shared_task(name="catalog.facts_recompute_dirty", acks_late=True, ignore_result=True)
def facts_recompute_dirty() -> int:
    """Recompute every collection marked stale and clear its mark; safe to run twice or concurrently."""
    from .engine import recompute_dirty

    cache.delete(_SCHEDULED_KEY)
    done = recompute_dirty()
    return -1 if done is None else len(done)


@shared_task(name="catalog.facts_recompute_all", acks_late=True, ignore_result=True)
def facts_recompute_all() -> int:
    """The nightly full recompute of every collection's facts."""
    from .engine import recompute_all

    return recompute_all()


class _Debounced:
    """What ``after_commit`` publishes: the dirty recompute, ``DEBOUNCE_SECONDS`` later, once per window."""

    name = facts_recompute_dirty.name

    def delay(self, **kwargs: Any) -> Any:
        if getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
            return facts_recompute_dirty.delay(**kwargs)
        if not cache.add(_SCHEDULED_KEY, 1, timeout=DEBOUNCE_SECONDS):
            return None  # a run is already due within the window: it will see this change's marks
        try:
            return facts_recompute_dirty.apply_async(kwargs=kwargs, countdown=DEBOUNCE_SECONDS)
        except Exception:
            cache.delete(_SCHEDULED_KEY)
            raise


DEBOUNCED = _Debounced()


def schedule_recompute() -> None:
    """After the current transaction commits, have the stale collections' facts recomputed (debounced)."""
    after_commit(DEBOUNCED)


def recompute_now() -> bool:
    """Queue the dirty recompute at once (no countdown); ``False`` if the broker refused it."""
    return publish(facts_recompute_dirty)
