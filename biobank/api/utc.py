"""Every time the REST API writes or reads is UTC (docs/ui.md, "Time, dates and language"; issue 16).

Pages show local time with its zone; exports and the API give UTC, ISO 8601: ``2026-12-07T09:30:00Z``. DRF's own
``DateTimeField`` writes a time in the request's current time zone (the portal's, ``Europe/Berlin``:
``…T10:30:00+01:00``), and django-filter reads a time without an offset in it too. The API's fields and filters are
therefore these two, and nothing else:

* ``UtcDateTimeField``, the serializer field: writes UTC ending in ``Z``; reads a time without an offset as UTC, one
  with an offset as given. ``biobank.api.serializers.ModelSerializer`` maps every model ``DateTimeField`` to it.
* ``UtcDateTimeFilter``, the query filter: ``?created_after=2026-12-07T09:30`` is 09:30 UTC; an offset
  (``…T10:30+01:00``) is taken as given, and compared in UTC (PostgreSQL refuses offsets beyond ±15:59).

Why fields and not a UTC zone activated for the whole API request: the services behind the API keep the portal's
local calendar ("today" for a withdrawal's effective date, a receipt's signing time), the same as behind the pages.
``tests/api/test_utc.py`` walks the list endpoints and checks every serializer of every app uses these.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from typing import Any

import django_filters
from django.utils import timezone
from django_filters.fields import IsoDateTimeField
from rest_framework import serializers

OFFSET_HELP = "ISO 8601; a time without an offset is UTC."


class UtcDateTimeField(serializers.DateTimeField):
    """A date-time in UTC both ways: written as ``2026-12-07T09:30:00Z``, read as UTC unless it has an offset."""

    def default_timezone(self) -> tzinfo:
        return UTC


class UtcIsoDateTimeField(IsoDateTimeField):
    """The form field behind ``UtcDateTimeFilter``: a time without an offset is UTC; the value is in UTC."""

    def to_python(self, value: Any) -> datetime | None:
        with timezone.override(UTC):  # django-filter makes a naive time aware in the current zone
            parsed = super().to_python(value)
        return parsed.astimezone(UTC) if parsed is not None else None


class UtcDateTimeFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 bound of an API list, read and compared in UTC."""

    field_class = UtcIsoDateTimeField
