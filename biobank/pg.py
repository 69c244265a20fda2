"""PostgreSQL settings for a few statements only.

``SET LOCAL`` lasts until the end of the whole transaction, not of the ``atomic`` block that issued it: a service that
runs inside a caller's transaction (every service called from another one, every test) would leave its settings to
everything the caller runs afterwards. With ``enable_seqscan`` left off, the planner spent over a second planning
each of the access-request list's permission subqueries for the rest of a test (docs/performance.md,
"Third pass"). ``planner_settings`` sets them with ``set_config(…, is_local => true)`` and puts the previous values back
when its block ends; if the block fails, the enclosing ``atomic`` rolls back to its savepoint, which undoes them too.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def planner_settings(cursor: Any, **settings: str) -> Iterator[None]:
    """``settings`` (``enable_seqscan="off"``, ``work_mem="64MB"`` …) for the statements run on ``cursor`` inside
    the block, inside a transaction; the previous values afterwards."""
    names = list(settings)
    columns = ", ".join(["current_setting(%s)"] * len(names))
    cursor.execute(f"SELECT {columns}", names)
    previous = cursor.fetchone()
    _set(cursor, settings)
    yield
    _set(cursor, dict(zip(names, previous, strict=True)))


def _set(cursor: Any, settings: dict[str, str]) -> None:
    calls = ", ".join(["set_config(%s, %s, true)"] * len(settings))
    cursor.execute(f"SELECT {calls}", [part for item in settings.items() for part in item])
