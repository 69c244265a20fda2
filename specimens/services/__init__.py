"""Writes to specimens and storage: atomic, with a named actor and their audit events in the same transaction.

One module per job: ``events`` (chain of custody), ``permissions``, ``lifecycle`` (register, aliquot, derive,
pool, status changes under the consent gate), ``storage`` (units, placement, moves), ``imports`` (bulk).
"""

from .events import event_add, events_add_many
from .permissions import require_change_specimens
from .storage import (
    specimen_move,
    specimen_place,
    specimen_unplace,
    specimens_place_bulk,
    storage_unit_create,
    storage_unit_update,
)

__all__ = [
    "event_add",
    "events_add_many",
    "require_change_specimens",
    "specimen_move",
    "specimen_place",
    "specimen_unplace",
    "specimens_place_bulk",
    "storage_unit_create",
    "storage_unit_update",
]
