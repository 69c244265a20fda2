"""Permission-scoped reads of specimens and storage: one module per job, re-exported here.

``storage`` (units, box maps, free cells, utilisation); ``specimens`` (lists, detail, lineage) sits beside it.
"""

from .storage import (
    BoxCell,
    BoxMap,
    box_map,
    free_positions,
    occupied_cells,
    specimen_for_storage,
    storage_units_changeable_by,
    storage_units_visible_to,
    utilisation,
)

__all__ = [
    "BoxCell",
    "BoxMap",
    "box_map",
    "free_positions",
    "occupied_cells",
    "specimen_for_storage",
    "storage_units_changeable_by",
    "storage_units_visible_to",
    "utilisation",
]
