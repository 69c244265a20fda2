"""Domain errors raised by services. Views turn them into a message on the page; the API into problem+json.

Each error says what was wrong, where (``field``), and what is allowed, in words a user can act on.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _


class DomainError(Exception):
    """A request that breaks a business rule: 400 in the API, a form error in the browser."""

    status_code = 400
    title = "Invalid request"

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


class InvalidFields(DomainError):
    """Several fields are wrong at once: every problem is reported together (``errors``: field → messages).

    The API lists each as its own entry of ``errors`` (pointer ``/<field>``); forms add each to its field.
    """

    def __init__(self, errors: dict[str, list[str]]) -> None:
        first_field = next(iter(errors))
        message = " ".join(f"{field}: {' '.join(messages)}" for field, messages in errors.items())
        super().__init__(message, field=first_field)
        self.errors = errors


class ConflictError(DomainError):
    """The request collides with the current state (a duplicate, a stale version): 409."""

    status_code = 409
    title = "Conflict"


class UnprocessableError(DomainError):
    """A well-formed request the current rules refuse to carry out (a consent that does not permit the use, an
    idempotency key reused for another request): 422."""

    status_code = 422
    title = "Unprocessable request"


class ForbiddenError(DomainError, PermissionDenied):
    """The caller may not do this (a missing role or permission, someone else's object): 403.

    The one way services say "forbidden": the API answers 403 problem+json (code ``forbidden``), the browser Django's
    403 page. It is a ``PermissionDenied`` too, so views that let it through get the 403 page without catching it.
    """

    status_code = 403
    title = "Permission denied"

    def __init__(self, message: str, *, field: str | None = None, code: str = "forbidden") -> None:
        super().__init__(message, field=field, code=code)


def validate_model(instance: object, *, exclude: list[str] | None = None) -> None:
    """Run a model's field validation and raise the first problem as a ``DomainError`` naming the field."""
    from django.core.exceptions import ValidationError

    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)  # type: ignore[attr-defined]
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise DomainError(
            _("%(field)s: %(messages)s") % {"field": field, "messages": " ".join(messages)}, field=field
        ) from None
