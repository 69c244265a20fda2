"""``{{ moment|zoned }}``: a moment in local time with its zone, right even in the hour the clocks go back
(``biobank.formats.zones``; docs/ui.md, "Time, dates and language")."""

from __future__ import annotations

from datetime import datetime

from django import template

from biobank.formats.zones import zoned as _zoned

register = template.Library()


@register.filter
def zoned(value: datetime | None, arg: str = "SHORT_DATETIME_FORMAT") -> str:
    return _zoned(value, arg)
