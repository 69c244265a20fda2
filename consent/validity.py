"""Validity of templates, modules and policies: an ISO-8601 period (``P5Y``, ``P6M``, ``P30D``) or a date.

A period counts from the day of signature and ends the day before the same date one period later (signed
2020-09-01 with ``P5Y`` → valid to 2025-08-31 inclusive, as in the MII broad-consent examples). A date is the last
valid day itself. When template, modules and policy each set one, the shortest wins.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from biobank.errors import DomainError

_PERIOD = re.compile(r"^P(?:(?P<y>\d+)Y)?(?:(?P<m>\d+)M)?(?:(?P<w>\d+)W)?(?:(?P<d>\d+)D)?$")


def validity_validate(value: str, *, field: str = "validity") -> str:
    """Return ``value`` stripped, or raise a ``DomainError`` saying what is allowed. Empty means no limit."""
    text = (value or "").strip().upper()
    if not text:
        return ""
    match = _PERIOD.match(text)
    if match and any(match.groupdict().values()):
        return text
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise DomainError(
            f"{value!r} is not a validity: give an ISO-8601 period such as P5Y, P6M, P2W or P30D (no time part), "
            "or a last valid date such as 2050-08-31; leave empty for no limit.",
            field=field,
            code="validity",
        ) from None


def validity_end(value: str, *, start: date) -> date | None:
    """The last valid day for something signed on ``start``; ``None`` if ``value`` sets no limit."""
    text = validity_validate(value)
    if not text:
        return None
    match = _PERIOD.match(text)
    if match is None:
        return date.fromisoformat(text)
    parts = {k: int(v or 0) for k, v in match.groupdict().items()}
    end = start + relativedelta(years=parts["y"], months=parts["m"], weeks=parts["w"], days=parts["d"])
    return end - timedelta(days=1)


def shortest_end(values: list[str], *, start: date) -> date | None:
    """The earliest end among ``values`` (shortest wins); ``None`` if none sets a limit."""
    ends = [end for value in values if (end := validity_end(value, start=start)) is not None]
    return min(ends) if ends else None
