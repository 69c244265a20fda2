"""A moment in local time with the zone it had: ``zoned(moment)`` -> "07/12/2026 03:15 CET" (per active language).

Django's ``date`` filter and ``date_format`` leave the zone out (``T`` renders nothing) when a local time is
ambiguous, so the two 02:30 of the last Sunday of October would read alike; ``zoned`` writes the zone the moment
really had (CEST, then CET). Templates use it as ``{% load local_time %}{{ moment|zoned }}``; PDFs and messages call
it directly. The format is a format name (``SHORT_DATETIME_FORMAT`` by default) or a format string.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import dateformat, formats, timezone


def zoned(value: datetime | None, format_name: str = "SHORT_DATETIME_FORMAT") -> str:
    if not isinstance(value, datetime):
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    pattern = formats.get_format(format_name) if format_name.isupper() else format_name
    # the zone as literal characters, each escaped, in place of "T" (an escaped "\T" stays as it is)
    literal = "".join("\\" + char for char in local.tzname() or "")
    out, escaped = [], False
    for char in pattern:
        out.append(literal if char == "T" and not escaped else char)
        escaped = char == "\\" and not escaped
    return dateformat.format(local, "".join(out))
