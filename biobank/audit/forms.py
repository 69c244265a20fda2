"""The auditor's filter form (the fields come from ``filtersets``) and its times typed without a zone.

A time typed without an offset is read in the current time zone: on the page the portal's local time, the time it
shows (docs/ui.md, "Time, dates and language"); on the API UTC, the time it answers in (``biobank.api.utc``).
Around a change of the clocks a local time can be ambiguous (autumn: 02:30 happens twice) or skipped (spring: 02:30
never happens). An ambiguous "from" means its first occurrence and an ambiguous "to" its second, so the range holds
every event shown with that time; a skipped time is refused with a message that says why.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField


class AuditFilterForm(forms.Form):
    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data  # the same dict, typed without None
        start, end = data.get("from"), data.get("to")
        if start and end and start >= end:
            raise forms.ValidationError(_("“From” must be earlier than “To”."), code="time_range")
        return data


class DateTimeLocalInput(forms.DateTimeInput):
    """The browser's own date-and-time picker."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


def read_in_zone(naive: dt.datetime, zone: dt.tzinfo, *, latest: bool = False) -> dt.datetime:
    """``naive`` as a moment in ``zone``; an ambiguous time is its first occurrence, or its second when ``latest``.

    ``ValueError`` if the clocks of ``zone`` skipped that time.
    """
    first, second = naive.replace(fold=0, tzinfo=zone), naive.replace(fold=1, tzinfo=zone)
    if first.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None) != naive:
        raise ValueError("skipped")
    return (second if latest else first).astimezone(dt.UTC)


class ZonedDateTimeField(IsoDateTimeField):
    """An ISO 8601 time; one without an offset is read in the current time zone."""

    default_error_messages = {
        "skipped": _(
            "%(time)s did not happen in the time zone %(zone)s: the clocks were put forward. "
            "Choose a time before or after the change."
        ),
    }

    def __init__(self, *args: Any, latest: bool = False, **kwargs: Any) -> None:
        self.latest = latest
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> dt.datetime | None:
        if isinstance(value, str) and value.strip():
            try:
                parsed = parse_datetime(value.strip())
            except ValueError:
                parsed = None  # a well-formed time that cannot be (31 February): refused below as invalid
            if parsed is not None and timezone.is_naive(parsed):
                zone = timezone.get_current_timezone()
                try:
                    return read_in_zone(parsed, zone, latest=self.latest)
                except ValueError:
                    raise forms.ValidationError(
                        self.error_messages["skipped"],
                        code="skipped",
                        params={
                            "time": formats.date_format(parsed, "SHORT_DATE_FORMAT") + parsed.strftime(" %H:%M"),
                            "zone": zone_name(zone),
                        },
                    ) from None
        return super().to_python(value)


def zone_name(zone: dt.tzinfo) -> str:
    """The zone as people look it up (``Europe/Berlin``), or as Python names it."""
    return zone.key if isinstance(zone, ZoneInfo) else str(zone)
