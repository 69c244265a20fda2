"""The one way to start background work after a transaction commits (issue 10, item 4).

``after_commit(task, **kwargs)`` queues ``task.delay(**kwargs)`` once the current transaction commits (at once in
autocommit). Publishing is best effort: a broker that is down, slow or refusing is logged, never raised, so a request
whose data is committed never answers 500 because of the broker. Whatever must happen anyway is recorded in the same
transaction and found again by a periodic catch-up task, which makes the effect at-least-once:

* e-mails: an ``accounts.OutgoingEmail`` row (``biobank.accounts.emails``), re-sent by ``accounts.emails_pending``;
* receipts: a consent without ``receipt_sha256``, made by ``consent.receipts_missing``;
* re-pseudonymisation: a domain whose subjects still hold pseudonyms of an older key version, re-queued by
  ``pseudonyms.repseudonymise_pending``.

The audit drain (``biobank.audit.services._schedule_drain``) is the one deliberate exception: it publishes from a
thread of its own, once per transaction, and its periodic ``audit.drain`` is its catch-up. See docs/architecture.md,
"After commit".
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any, Protocol

from django.db import transaction

logger = logging.getLogger(__name__)


class _Task(Protocol):
    name: str

    def delay(self, *args: Any, **kwargs: Any) -> Any: ...


def publish(task: _Task, /, **kwargs: Any) -> bool:
    """``task.delay(**kwargs)`` now; ``False`` (and a logged error) when the broker did not take it."""
    try:
        task.delay(**kwargs)
    except Exception:  # kombu's OperationalError, a refused connection, a timeout...: the catch-up sends it later
        logger.exception("Task %s %s not queued; its periodic catch-up will do the work.", task.name, kwargs)
        return False
    return True


def after_commit(task: _Task, /, **kwargs: Any) -> None:
    """Queue ``task.delay(**kwargs)`` after the current transaction commits; a publishing failure is only logged.

    ``kwargs`` must be JSON values (ids, not model instances). Nothing is queued if the transaction rolls back.
    """
    transaction.on_commit(partial(publish, task, **kwargs), robust=True)
