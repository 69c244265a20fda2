"""Validity of templates, modules and policies: an ISO-8601 period (``P5Y``, ``P6M``, ``P30D``) or a date.

A period counts from the day of signature, that day included, and ends the day before the same date one period
later (signed 2020-09-01 with ``P5Y`` → valid to 2025-08-31 inclusive, as in the MII broad-consent examples). A date
is the last valid day itself. When template, modules and policy each set one, the shortest wins.

**Month and year periods from a day the last month lacks** (29 to 31, e.g. a leap day or a month end). "The same date
one period later" does not exist then; the period ends on the last day of that month. This is the civil-law rule for
periods in months and years (German BGB §188(2) and (3); likewise EU Regulation 1182/71 Art. 3(2)(c)): a period must
never end *before* the month it reaches is over just because that month is short. Clipping to the month end first
and then stepping back a day (what ``relativedelta`` arithmetic does) ends such periods a day early — a leap-day
signature lost its last day. Weeks and days are added to the day after the month/year part ends.

==============  ========  ==============  ===============================================
signed          period    last valid day  why
==============  ========  ==============  ===============================================
2020-09-01      P5Y       2025-08-31      the day before 2025-09-01
2024-02-28      P1Y       2025-02-27      the day before 2025-02-28
2024-02-29      P1Y       2025-02-28      2025-02-29 does not exist: end of February
2024-03-01      P1Y       2025-02-28      the day before 2025-03-01
2024-02-29      P4Y       2028-02-28      the day before 2028-02-29 (it exists)
2024-01-29      P1M       2024-02-28      the day before 2024-02-29 (it exists)
2024-01-30      P1M       2024-02-29      2024-02-30 does not exist: end of February
2024-01-31      P1M       2024-02-29      2024-02-31 does not exist: end of February
2024-03-31      P1M       2024-04-30      2024-04-31 does not exist: end of April
2024-04-30      P1M       2024-05-29      the day before 2024-05-30 (it exists)
2024-01-31      P1M1D     2024-03-01      February is too short: from 1 March, one more day
2024-02-29      P30D      2024-03-29      days count on, 30 days including the first
==============  ========  ==============  ===============================================
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from django.utils.translation import gettext as _

from biobank.errors import DomainError

_PERIOD = re.compile(r"^P(?:(?P<y>\d+)Y)?(?:(?P<m>\d+)M)?(?:(?P<w>\d+)W)?(?:(?P<d>\d+)D)?$")


def validity_validate(value: str, *, field: str = "validity") -> str:
    """Return ``value`` stripped, or raise a ``DomainError`` saying what is allowed. Empty means no limit."""
    text = (value or "").strip().upper()
    if not text:
        return ""
    match = _PERIOD.match(text)
    if match and any(int(v or 0) for v in match.groupdict().values()):  # P0D would end before it starts
        return text
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise DomainError(
            _(
                "%(value)s is not a validity: give an ISO-8601 period longer than zero such as P5Y, "
                "P6M, P2W or P30D (no time part), or a last valid date such as 2050-08-31; leave "
                "empty for no limit."
            )
            % {"value": repr(value)},
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
    after = _month_anchor(start, 12 * parts["y"] + parts["m"])
    return after + timedelta(weeks=parts["w"], days=parts["d"] - 1)


def _month_anchor(start: date, months: int) -> date:
    """The first day after a period of ``months`` from ``start``: the same date ``months`` later, or, when that
    month is too short for it, the first day of the month after (so the period ends with the short month)."""
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    if start.day <= calendar.monthrange(year, month)[1]:
        return date(year, month, start.day)
    return date(year, month, calendar.monthrange(year, month)[1]) + timedelta(days=1)


def shortest_end(values: list[str], *, start: date) -> date | None:
    """The earliest end among ``values`` (shortest wins); ``None`` if none sets a limit."""
    ends = [end for value in values if (end := validity_end(value, start=start)) is not None]
    return min(ends) if ends else None
