"""Base classes of every app's API serializers: input serializers, and model serializers whose times are UTC."""

from __future__ import annotations

from typing import Any

from django.db import models
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail

from .utc import UtcDateTimeField


class InputSerializer(serializers.Serializer):
    """Validates a request body and refuses fields it does not know.

    A misspelt or read-only field (``"nmae"``, ``"code"`` on an update) is an error naming the field and what is
    allowed, rather than being silently dropped so that the client believes its change was made. It is reported
    together with the other fields' errors, so one round trip shows everything that is wrong.
    """

    def to_internal_value(self, data: Any) -> Any:
        errors: dict[str, Any] = {}
        if isinstance(data, dict):
            writable = [name for name, field in self.fields.items() if not field.read_only]
            message = f"Unknown or read-only field; allowed: {', '.join(writable)}."
            errors = {name: [ErrorDetail(message, code="unknown_field")] for name in sorted(set(data) - set(writable))}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
            raise serializers.ValidationError({**detail, **errors}) from None
        if errors:
            raise serializers.ValidationError(errors)
        return value


class ModelSerializer(serializers.ModelSerializer):
    """The base of every model serializer of the API: a model's ``DateTimeField`` is written and read in UTC
    (``biobank.api.utc``)."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: UtcDateTimeField,
    }
