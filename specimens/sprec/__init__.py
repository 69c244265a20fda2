"""SPREC v3.0 (Standard PREanalytical Code): decode a code, derive one from recorded facts, map it to MIABIS.

Pure Python, no database; the code lists and bands are data (``specimens/data/``), so a later SPREC version is a
data change. Decisions and band tables: docs/sprec.md.
"""

from .codelists import Element, Kind, code_lists
from .decode import Decoded, decode
from .derive import FLUID_FACTS, SOLID_FACTS, Derived, derive
from .errors import SprecError, SprecProblem
from .miabis import MaterialType, StorageTemperature, miabis_material_type, miabis_storage_temperature

__all__ = [
    "FLUID_FACTS",
    "SOLID_FACTS",
    "Decoded",
    "Derived",
    "Element",
    "Kind",
    "MaterialType",
    "SprecError",
    "SprecProblem",
    "StorageTemperature",
    "code_lists",
    "decode",
    "derive",
    "miabis_material_type",
    "miabis_storage_temperature",
]
