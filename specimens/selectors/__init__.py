"""Permission-scoped reads of the specimens app: one module per area, re-exported here."""

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

__all__ = [
    "WORKLISTS",
    "Lineage",
    "specimen_lineage",
    "specimen_timeline",
    "specimens_changeable_by",
    "specimens_search",
    "specimens_visible_to",
    "worklist",
]
