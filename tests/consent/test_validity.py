"""Validity periods: the last valid day of a consent signed on a given day, including leap days and month ends."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from biobank.errors import DomainError
from consent.validity import validity_end, validity_validate

# The table of the module docstring, one row per case.
CASES = [
    ("2020-09-01", "P5Y", "2025-08-31"),
    ("2024-02-28", "P1Y", "2025-02-27"),
    ("2024-02-29", "P1Y", "2025-02-28"),
    ("2024-03-01", "P1Y", "2025-02-28"),
    ("2024-02-29", "P4Y", "2028-02-28"),
    ("2024-01-29", "P1M", "2024-02-28"),
    ("2024-01-30", "P1M", "2024-02-29"),
    ("2024-01-31", "P1M", "2024-02-29"),
    ("2024-03-31", "P1M", "2024-04-30"),
    ("2024-04-30", "P1M", "2024-05-29"),
    ("2024-01-31", "P1M1D", "2024-03-01"),
    ("2024-02-29", "P30D", "2024-03-29"),
]


@pytest.mark.parametrize(("signed", "period", "last_day"), CASES)
def test_the_last_valid_day_follows_the_documented_table(signed, period, last_day):
    assert validity_end(period, start=date.fromisoformat(signed)) == date.fromisoformat(last_day)


def test_a_consent_signed_on_a_leap_day_for_one_year_is_valid_through_the_28th_of_february():
    assert validity_end("P1Y", start=date(2024, 2, 29)) == date(2025, 2, 28)


def test_a_zero_period_is_refused_because_it_would_end_before_it_starts():
    with pytest.raises(DomainError, match="longer than zero"):
        validity_validate("P0D")


def reference_end(start: date, *, months: int = 0, days: int = 0) -> date:
    """Written from the rule, not the code: count ``months`` calendar months on from ``start``'s month; the period
    ends the day before the same day-of-month there, or with that month if it is too short; days count plainly."""
    if days:
        return start + timedelta(days=days - 1)
    year = start.year + (start.month - 1 + months) // 12
    month = (start.month - 1 + months) % 12 + 1
    length = calendar.monthrange(year, month)[1]
    if start.day > length:
        return date(year, month, length)
    return date(year, month, start.day) - timedelta(days=1)


starts = st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31))


# Month-end and leap-day starts are where a rule can go wrong; draw them often, not only by chance.
month_ends = st.builds(
    lambda year, month, back: date(year, month, calendar.monthrange(year, month)[1] - back),
    st.integers(1990, 2100),
    st.integers(1, 12),
    st.integers(0, 2),
)
starts = st.one_of(starts, month_ends)


@settings(max_examples=400)
@example(start=date(2024, 2, 29), years=1, months=0)
@example(start=date(2024, 1, 31), years=0, months=1)
@given(start=starts, years=st.integers(0, 40), months=st.integers(0, 30))
def test_month_and_year_periods_match_the_reference_rule(start, years, months):
    if years == months == 0:
        return
    period = "P" + (f"{years}Y" if years else "") + (f"{months}M" if months else "")

    assert validity_end(period, start=start) == reference_end(start, months=12 * years + months)


@given(start=starts, days=st.integers(1, 4000))
def test_day_periods_count_the_signing_day_as_the_first(start, days):
    assert validity_end(f"P{days}D", start=start) == reference_end(start, days=days)


@settings(max_examples=400)
@given(start=starts, months=st.integers(1, 600))
def test_a_period_never_ends_before_it_starts_and_never_loses_the_last_day_of_a_short_month(start, months):
    end = validity_end(f"P{months}M", start=start)

    assert end >= start
    # The day after the end is the anniversary, or the first of a month when the anniversary day does not exist.
    after = end + timedelta(days=1)
    assert after.day == start.day or (after.day == 1 and start.day > calendar.monthrange(end.year, end.month)[1])
