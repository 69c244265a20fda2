"""The auditor's filter form (the fields come from ``filtersets.AuditEventFilter``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


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
