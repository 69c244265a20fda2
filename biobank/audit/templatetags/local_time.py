"""``{{ moment|zoned }}``: a moment in local time with its zone, right even in the hour the clocks go back.

Django's ``date`` filter leaves the zone out (``T`` renders nothing) when a local time is ambiguous, so the two
02:30 of the last Sunday of October would read alike. ``zoned`` writes the zone the moment really had (CEST, then
CET). The argument is a format name (``SHORT_DATETIME_FORMAT`` by default) or a format; see docs/ui.md, "Time, dates
and language".
"""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import dateformat, formats, timezone

register = template.Library()


@register.filter
def zoned(value: datetime | None, arg: str = "SHORT_DATETIME_FORMAT") -> str:
    if not isinstance(value, datetime):
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    pattern = formats.get_format(arg) if arg.isupper() else arg
    zone = local.tzname() or ""
    # the zone as literal characters, each escaped, in place of "T" (an escaped "\T" stays as it is)
    literal = "".join("\\" + char for char in zone)
    out, escaped = [], False
    for char in pattern:
        out.append(literal if char == "T" and not escaped else char)
        escaped = char == "\\" and not escaped
    return dateformat.format(local, "".join(out))
