"""Writes to the catalogue. Atomic, with a named actor (the audit trail records it in the same transaction)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from biobank.accounts.models import Biobank
from biobank.errors import ConflictError, DomainError

from .models import Collection

EDITABLE_FIELDS = ("name", "description")


def _validate(collection: Collection) -> None:
    try:
        collection.full_clean(exclude=["biobank"], validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise DomainError(f"{field}: {' '.join(messages)}", field=field) from None


@transaction.atomic
def collection_create(*, actor: Any, biobank: Biobank, code: str, name: str, description: str = "") -> Collection:
    collection = Collection(biobank=biobank, code=code, name=name, description=description)
    _validate(collection)
    try:
        with transaction.atomic():
            collection.save()
    except IntegrityError:
        raise ConflictError(
            f"{biobank.name} already has a collection with the code {code!r}; choose another code.", field="code"
        ) from None
    return collection


@transaction.atomic
def collection_update(*, actor: Any, collection: Collection, **changes: Any) -> Collection:
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError(
            f"Field(s) {', '.join(sorted(unknown))} cannot be changed; editable: {', '.join(EDITABLE_FIELDS)}."
        )
    for field, value in changes.items():
        setattr(collection, field, value)
    _validate(collection)
    collection.save(update_fields=[*changes.keys(), "updated_at"])
    return collection
