"""A specimen's diagnosis: one ICD-10 (WHO 2019) or ORPHA code, checked against the catalogue's vocabularies."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from biobank.errors import DomainError
from catalog.vocabularies import validate_diseases


def diagnosis_checked(value: Any, *, field: str = "diagnosis") -> str:
    """One ICD-10 (WHO 2019) or ORPHA code, or ``""``; a clear message naming the field and the value otherwise."""
    code = str(value or "").strip()
    if not code:
        return ""
    if "," in code or ";" in code:
        raise DomainError(
            _("%(field)s %(value)r: give one disease code, not a list.") % {"field": field, "value": code},
            field=field,
        )
    try:
        validate_diseases([code], field=field)
    except ValidationError:
        raise DomainError(
            _(
                "%(field)s %(value)r is not a known disease code: write an ICD-10 code of the WHO 2019 edition (e.g. "
                "C18 or C18.0) or an Orphanet code ORPHA:<digits>."
            )
            % {"field": field, "value": code},
            field=field,
            code="unknown_code",
        ) from None
    return code
