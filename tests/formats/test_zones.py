"""``zoned`` (and the template filter of the same name): local time with the zone it really had, also in the hour
that happens twice (issue 16, problem 5)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.template import Context, Template
from django.utils import translation

from biobank.formats.zones import zoned


@pytest.fixture(autouse=True)
def _berlin(settings):
    settings.TIME_ZONE = "Europe/Berlin"


def test_a_moment_is_shown_in_local_time_with_its_zone():
    assert zoned(datetime(2026, 12, 7, 2, 15, tzinfo=UTC)) == "07/12/2026 03:15 CET"
    assert zoned(datetime(2026, 7, 1, 10, 0, tzinfo=UTC)) == "01/07/2026 12:00 CEST"
    with translation.override("de"):
        assert zoned(datetime(2026, 12, 7, 2, 15, tzinfo=UTC)) == "07.12.2026 03:15 CET"
        assert zoned(datetime(2026, 12, 7, 2, 15, tzinfo=UTC), "DATETIME_FORMAT") == "7. Dezember 2026, 03:15 CET"


def test_the_two_0230_of_the_autumn_change_are_told_apart_where_the_date_filter_cannot():
    first, second = datetime(2026, 10, 25, 0, 30, tzinfo=UTC), datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert (zoned(first), zoned(second)) == ("25/10/2026 02:30 CEST", "25/10/2026 02:30 CET")
    plain = Template('{{ a|date:"SHORT_DATETIME_FORMAT" }}|{{ b|date:"SHORT_DATETIME_FORMAT" }}')
    assert plain.render(Context({"a": first, "b": second})) == "25/10/2026 02:30 |25/10/2026 02:30 "  # Django's gap


def test_an_explicit_format_and_an_escaped_t_are_kept():
    assert zoned(datetime(2026, 12, 7, 2, 15, tzinfo=UTC), r"H:i \T T") == "03:15 T CET"


def test_nothing_to_show_is_empty():
    assert zoned(None) == ""
    assert zoned(date(2026, 12, 7)) == ""  # type: ignore[arg-type]


def test_the_filter_loads_in_templates():
    page = Template("{% load local_time %}{{ moment|zoned }}").render(
        Context({"moment": datetime(2026, 12, 7, 2, 15, tzinfo=UTC)})
    )
    assert page == "07/12/2026 03:15 CET"
