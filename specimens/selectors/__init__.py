"""Permission-scoped reads of the specimens app: one module per area, re-exported here.

``specimens`` (lists, search, lineage, timeline, worklists); ``storage`` (units, box maps, free cells, utilisation).
"""

from .specimens import (
    WORKLISTS,
    Lineage,
    specimen_lineage,
    specimen_timeline,
    specimens_changeable_by,
    specimens_search,
    specimens_visible_to,
    worklist,
)
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
    "WORKLISTS",
    "BoxCell",
    "BoxMap",
    "Lineage",
    "box_map",
    "free_positions",
    "occupied_cells",
    "specimen_for_storage",
    "specimen_lineage",
    "specimen_timeline",
    "specimens_changeable_by",
    "specimens_search",
    "specimens_visible_to",
    "storage_units_changeable_by",
    "storage_units_visible_to",
    "utilisation",
    "worklist",
]
