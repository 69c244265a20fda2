"""Writes to the catalogue. Atomic, with a named actor (the audit trail records it in the same transaction)."""

from .collections import EDITABLE_FIELDS, collection_create, collection_update
from .descriptions import (
    COLLECTION_DESCRIPTION_FIELDS,
    collection_describe,
    collection_set_state,
    network_save,
    person_save,
    profile_save,
    publication_problems,
    research_resource_save,
)

__all__ = [
    "COLLECTION_DESCRIPTION_FIELDS",
    "EDITABLE_FIELDS",
    "collection_create",
    "collection_describe",
    "collection_set_state",
    "collection_update",
    "network_save",
    "person_save",
    "profile_save",
    "publication_problems",
    "research_resource_save",
]
