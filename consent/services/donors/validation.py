"""The identity typed at enrolment, validated: every error names the field and what is allowed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from biobank.errors import DomainError, InvalidFields

from ...choices import Sex
from ...matching import Person
from ...models.identity import IDENTITY_FIELDS, IDENTITY_MAX_LENGTH

_PHONE_CHARS = set("0123456789+()-./ ")


@dataclass(frozen=True)
class IdentityInput:
    """Identifying data typed at enrolment (plaintext, in memory only; it goes to the vault encrypted)."""

    given_names: str
    family_name: str
    date_of_birth: date
    address: str = ""
    hospital_id: str = ""
    national_id: str = ""
    email: str = ""
    phone: str = ""

    def person(self, sex: str = "unknown") -> Person:
        return Person(self.given_names, self.family_name, self.date_of_birth, self.hospital_id, self.national_id, sex)

    def values(self) -> dict[str, str]:
        return {
            name: self.date_of_birth.isoformat() if name == "date_of_birth" else getattr(self, name)
            for name in IDENTITY_FIELDS
        }


def _clean_text(field: str, value: Any, *, required: bool = False) -> str:
    text = " ".join(str(value or "").split()) if field != "address" else str(value or "").strip()
    if required and not text:
        label = field.replace("_", " ")
        raise DomainError(
            _("%(label_capitalized)s: enter the donor's %(label)s.")
            % {"label_capitalized": label.capitalize(), "label": label},
            field=field,
            code="required",
        )
    limit = IDENTITY_MAX_LENGTH[field]
    if len(text) > limit:
        raise DomainError(
            _("%(field)s: at most %(limit)s characters, got %(length)s.")
            % {
                "field": field.replace("_", " ").capitalize(),
                "limit": limit,
                "length": len(text),
            },
            field=field,
            code="max_length",
        )
    if any(ord(char) < 32 and char not in "\n\t" for char in text):
        raise DomainError(
            _("%(field)s: contains control characters.") % {"field": field.replace("_", " ").capitalize()},
            field=field,
        )
    return text


def _clean_date_of_birth(value: Any) -> date:
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            raise DomainError(
                _("Date of birth: %(value)r is not a date; use YYYY-MM-DD, e.g. 1970-03-07.") % {"value": value},
                field="date_of_birth",
                code="invalid",
            ) from None
    if not isinstance(value, date):
        raise DomainError(_("Date of birth: enter the donor's date of birth."), field="date_of_birth", code="required")
    if value > timezone.localdate():
        raise DomainError(
            _("Date of birth: %(date)s is in the future.") % {"date": value.isoformat()},
            field="date_of_birth",
            code="future",
        )
    if value.year < 1900:
        raise DomainError(
            _("Date of birth: %(date)s is before 1900; check the year.") % {"date": value.isoformat()},
            field="date_of_birth",
            code="range",
        )
    return value


def _clean_email(value: Any) -> str:
    text = _clean_text("email", value)
    if text:
        try:
            validate_email(text)
        except DjangoValidationError:
            raise DomainError(
                _("E-mail: not a valid e-mail address (expected name@example.org)."), field="email", code="invalid"
            ) from None
    return text


def _clean_phone(value: Any) -> str:
    text = _clean_text("phone", value)
    if text and not set(text) <= _PHONE_CHARS:
        raise DomainError(
            _("Phone: use digits, spaces and + ( ) - . / only, e.g. +49 30 1234567."), field="phone", code="invalid"
        )
    return text


_CHECKS: dict[str, Callable[[Any], Any]] = {
    "given_names": lambda value: _clean_text("given_names", value, required=True),
    "family_name": lambda value: _clean_text("family_name", value, required=True),
    "date_of_birth": _clean_date_of_birth,
    "address": lambda value: _clean_text("address", value),
    "hospital_id": lambda value: _clean_text("hospital_id", value),
    "national_id": lambda value: _clean_text("national_id", value),
    "email": _clean_email,
    "phone": _clean_phone,
}


def identity_check(values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, DomainError]]:
    """Each given identity field checked on its own: (cleaned values, the problem of each wrong field). Forms call
    it with the fields they could parse, so every problem is shown at once (issue 16, item 6)."""
    cleaned: dict[str, Any] = {}
    problems: dict[str, DomainError] = {}
    for name, value in values.items():
        try:
            cleaned[name] = _CHECKS[name](value)
        except DomainError as error:
            problems[name] = error
    return cleaned, problems


def identity_clean(
    *,
    given_names: Any,
    family_name: Any,
    date_of_birth: Any,
    address: Any = "",
    hospital_id: Any = "",
    national_id: Any = "",
    email: Any = "",
    phone: Any = "",
) -> IdentityInput:
    """Validated identity, or a ``DomainError`` naming the wrong field and what is allowed — ``InvalidFields``
    naming every wrong field when there are several."""
    cleaned, problems = identity_check(
        {
            "given_names": given_names,
            "family_name": family_name,
            "date_of_birth": date_of_birth,
            "address": address,
            "hospital_id": hospital_id,
            "national_id": national_id,
            "email": email,
            "phone": phone,
        }
    )
    if len(problems) == 1:
        raise next(iter(problems.values()))
    if problems:
        raise InvalidFields({name: [error.message] for name, error in problems.items()})
    return IdentityInput(**cleaned)


def _clean_sex(sex: Any) -> str:
    if sex not in Sex.values:
        raise DomainError(
            _("Sex: %(sex)r is not allowed; choose one of %(values)s.") % {"sex": sex, "values": ", ".join(Sex.values)},
            field="sex",
        )
    return str(sex)
