"""Dates per active language (``FORMAT_MODULE_PATH`` -> biobank/formats/; issue 16, problem 5): European in English
too (day first, never "12/01/2026" for the 1st of December), German as Germans write it, the zone after every time,
and the browser's ISO dates read and written in every language."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.template import Context, Template
from django.utils import translation

DAY = date(2026, 12, 1)
MOMENT = datetime(2026, 12, 7, 2, 15, tzinfo=UTC)  # 03:15 in Berlin (CET)
TEMPLATES = Path(settings.BASE_DIR) / "templates"


@pytest.fixture(autouse=True)
def _berlin(settings):
    settings.TIME_ZONE = "Europe/Berlin"


def render(text: str, language: str) -> str:
    with translation.override(language):
        return Template(text).render(Context({"day": DAY, "moment": MOMENT}))


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "01/12/2026 · 1 December 2026 · 07/12/2026 03:15 CET · 7 December 2026, 03:15 CET"),
        ("de", "01.12.2026 · 1. Dezember 2026 · 07.12.2026 03:15 CET · 7. Dezember 2026, 03:15 CET"),
    ],
)
def test_dates_and_times_follow_the_active_language(language, expected):
    text = (
        '{{ day|date:"SHORT_DATE_FORMAT" }} · {{ day|date:"DATE_FORMAT" }} · '
        '{{ moment|date:"SHORT_DATETIME_FORMAT" }} · {{ moment }}'
    )
    assert render(text, language) == expected


def test_summer_times_say_so():
    assert render('{{ moment|date:"SHORT_DATETIME_FORMAT" }}', "en").endswith("CET")
    summer = Template('{{ m|date:"SHORT_DATETIME_FORMAT" }}').render(
        Context({"m": datetime(2026, 7, 1, 10, tzinfo=UTC)})
    )
    assert summer == "01/07/2026 12:00 CEST"


class DayForm(forms.Form):
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))


@pytest.mark.parametrize(("language", "typed"), [("en", "01/12/2026"), ("de", "01.12.2026")])
def test_the_date_picker_gets_iso_and_typed_dates_are_read_day_first(language, typed):
    with translation.override(language):
        assert 'value="2026-12-01"' in str(DayForm(initial={"day": DAY})["day"])  # <input type="date"> needs ISO
        for value in ("2026-12-01", typed):
            form = DayForm({"day": value})
            assert form.is_valid(), form.errors
            assert form.cleaned_data["day"] == DAY


def test_no_template_writes_a_date_in_a_fixed_format():
    """Every ``|date:`` names a localised format (``*_FORMAT``) or is the machine's ISO 8601 (``c``)."""
    fixed = []
    for path in TEMPLATES.rglob("*.*"):
        for argument in re.findall(r"\|date:['\"]([^'\"]*)['\"]", path.read_text()):
            if argument != "c" and not argument.endswith("_FORMAT"):
                fixed.append(f"{path.relative_to(TEMPLATES)}: {argument}")
    assert fixed == []
