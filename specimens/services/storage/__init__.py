"""Storage writes: units of the hierarchy, and placing, moving and taking specimens out of box cells.

Every placement change is a chain-of-custody event (``stored`` when a specimen is put into a box from outside
storage, ``moved`` from one cell to another, ``removed`` when taken out) and an audit record, in one transaction.

Concurrency: one specimen per cell is the database's unique constraint ``specimen_one_per_position``. Of two
placements racing for one cell exactly one commits; the other's INSERT/UPDATE fails inside a savepoint and becomes a
``ConflictError`` (409) naming the cell. Locks are always taken in the same order — storage units first (by id),
then specimens (by id) — so two requests never wait on each other in a cycle:

* a placement, move or removal holds its box(es) ``FOR SHARE`` (many placements into one box run side by side) and
  the specimen ``FOR UPDATE``;
* a change of a unit (a box made smaller) and a bulk placement hold the box ``FOR NO KEY UPDATE``: no placement
  can slip into a cell the shrink removes, and a bulk placement's free cells stay free until it commits.
"""

from ...selectors.storage import free_positions
from .bulk import MAX_BULK, Placement, specimens_place_bulk
from .placement import location_label, specimen_move, specimen_place, specimen_unplace
from .units import EDITABLE_FIELDS, storage_unit_create, storage_unit_update

__all__ = [
    "EDITABLE_FIELDS",
    "MAX_BULK",
    "Placement",
    "free_positions",
    "location_label",
    "specimen_move",
    "specimen_place",
    "specimen_unplace",
    "specimens_place_bulk",
    "storage_unit_create",
    "storage_unit_update",
]
