"""Writes to the catalogue. Atomic, with a named actor (the audit trail records it in the same transaction)."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from biobank.accounts.models import Biobank
from biobank.accounts.principals import Actor
from biobank.audit.services import audit_record
from biobank.errors import ConflictError, DomainError, validate_model

from ..choices import CatalogAuditAction
from ..models import Collection

EDITABLE_FIELDS = ("name", "description")


@transaction.atomic
def collection_create(*, actor: Actor, biobank: Biobank, code: str, name: str, description: str = "") -> Collection:
    collection = Collection(biobank=biobank, code=code, name=name, description=description)
    validate_model(collection, exclude=["biobank"])
    try:
        with transaction.atomic():
            collection.save()
    except IntegrityError:
        raise ConflictError(
            _("%(biobank_name)s already has a collection with the code %(code)r; choose another code.")
            % {"biobank_name": biobank.name, "code": code},
            field="code",
        ) from None
    audit_record(
        actor=actor,
        action=CatalogAuditAction.COLLECTION_CREATE,
        obj=collection,
        changes={"code": [None, code], "name": [None, name], "description": [None, description]},
    )
    return collection


@transaction.atomic
def collection_update(*, actor: Actor, collection: Collection, **changes: Any) -> Collection:
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError(
            _("Field(s) %(unknown)s cannot be changed; editable: %(allowed)s.")
            % {"unknown": ", ".join(sorted(unknown)), "allowed": ", ".join(EDITABLE_FIELDS)}
        )
    before = {field: getattr(collection, field) for field in changes}
    for field, value in changes.items():
        setattr(collection, field, value)
    validate_model(collection, exclude=["biobank"])
    collection.save(update_fields=[*changes.keys(), "updated_at"])
    diff = {
        field: [old, getattr(collection, field)] for field, old in before.items() if old != getattr(collection, field)
    }
    if diff:
        audit_record(actor=actor, action=CatalogAuditAction.COLLECTION_UPDATE, obj=collection, changes=diff)
    return collection
