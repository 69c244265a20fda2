"""Reading one fact: numbers, temperatures, timestamps and codes, each appending a problem when out of range.

Every reader returns the value (``None`` when the fact is missing, i.e. ``None`` or absent) or ``INVALID`` after
appending a :class:`SprecProblem` naming the fact, the value and what is allowed; the derivation goes on reading the
other facts, so one answer names every fact that is wrong.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any, Final

from .codelists import PositionSpec
from .errors import SprecProblem, _, shown
from .tables import degrees, whole_minutes


class _Invalid:
    def __repr__(self) -> str:
        return "INVALID"


INVALID: Final = _Invalid()


def problem(problems: list[SprecProblem], fact: str, value: Any, message: str, code: str = "invalid") -> _Invalid:
    problems.append(SprecProblem(message, shown(value), fact=fact, code=code))
    return INVALID


def minutes(value: Any, fact: str, problems: list[SprecProblem]) -> int | _Invalid | None:
    """Whole minutes (floats truncated), at least 0."""
    kind = type(value)
    if kind is int:
        number = value
    elif kind is float and math.isfinite(value):
        number = whole_minutes(value)
    elif value is None:
        return None
    else:
        message = _("%(fact)s must be a number of minutes, not %(value)s.") % {"fact": fact, "value": shown(value)}
        return problem(problems, fact, value, message)
    if number < 0:
        message = _("%(fact)s is %(value)s; a duration cannot be negative.") % {"fact": fact, "value": value}
        return problem(problems, fact, value, message, "out_of_range")
    return number


PLAUSIBLE_DEGREES = range(-273, 1001)  # absolute zero to an autoclave's worst day; beyond is a typing error


def temperature(value: Any, fact: str, problems: list[SprecProblem]) -> int | _Invalid | None:
    """Whole degrees Celsius, rounded half away from zero."""
    kind = type(value)
    if value is None:
        return None
    if kind is int or (kind is float and math.isfinite(value)):
        whole = value if kind is int else degrees(value)
        if whole in PLAUSIBLE_DEGREES:
            return whole
        message = _("%(fact)s %(value)s °C is not a temperature a sample can have (-273 to 1000 °C).") % {
            "fact": fact,
            "value": shown(value),
        }
        return problem(problems, fact, value, message, "out_of_range")
    message = _("%(fact)s must be a temperature in °C (a number), not %(value)s.") % {
        "fact": fact,
        "value": shown(value),
    }
    return problem(problems, fact, value, message)


def entered_degrees(value: Any, whole: int) -> str:
    """A temperature as the user entered it, for a message; with the whole degrees it was compared as when they
    differ (``17.6 °C (18 °C rounded)``)."""
    if value is None or value == whole:
        return f"{whole} °C"
    return _("%(value)s °C (%(whole)d °C rounded)") % {"value": shown(value), "whole": whole}


def timestamp(value: Any, fact: str, problems: list[SprecProblem]) -> datetime | _Invalid | None:
    """A ``datetime`` or an ISO 8601 string."""
    if value is None or isinstance(value, datetime):
        return value
    if isinstance(value, str) and len(value) <= 64:
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            pass
    message = _("%(fact)s must be a date and time in ISO 8601 (e.g. 2024-05-06T08:30:00+02:00), not %(value)s.") % {
        "fact": fact,
        "value": shown(value),
    }
    return problem(problems, fact, value, message)


def elapsed(start: Any, end: Any, fact: str, problems: list[SprecProblem]) -> int | _Invalid | None:
    """Whole minutes from ``start`` to ``end`` (truncated), or a problem on ``fact`` (the later timestamp)."""
    if start is None or end is None or start is INVALID or end is INVALID:
        return None
    try:
        seconds = (end - start).total_seconds()
    except TypeError:
        message = _(
            "%(fact)s and collection_time must both carry a time zone offset, or both none; one of them has one."
        ) % {"fact": fact}
        return problem(problems, fact, end, message)
    if seconds < 0:
        message = _("%(fact)s is before the collection time.") % {"fact": fact}
        return problem(problems, fact, end.isoformat(), message, "out_of_range")
    return whole_minutes(seconds / 60)


def choice(value: Any, fact: str, allowed: tuple[str, ...], problems: list[SprecProblem]) -> str | _Invalid | None:
    if value is None or (type(value) is str and value in allowed):
        return value
    message = _("%(fact)s is %(value)s; allowed: %(allowed)s.") % {
        "fact": fact,
        "value": shown(value),
        "allowed": ", ".join(allowed),
    }
    return problem(problems, fact, value, message, "invalid_choice")


def code(value: Any, fact: str, spec: PositionSpec, problems: list[SprecProblem]) -> str | _Invalid | None:
    """A SPREC code of ``spec`` (case ignored); aliases are decoded, never derived."""
    if value is None:
        return None
    if type(value) is str:
        if value in spec.codes and value not in spec.aliases:
            return value
        upper = value.strip().upper()
        if upper in spec.codes and upper not in spec.aliases:
            return upper
    message = _("%(fact)s is %(value)s, not a code of position %(position)d (%(element)s); allowed: %(allowed)s.") % {
        "fact": fact,
        "value": shown(value),
        "position": spec.position,
        "element": spec.element,
        "allowed": spec.allowed,
    }
    return problem(problems, fact, value, message, "invalid_choice")
