"""Specimens app models: storage hierarchy; specimens, their sources (lineage) and events."""

from .imports import ImportFormat, ImportJob, ImportProblem, ImportStatus
from .specimens import BarcodeSequence, Centrifugation, Specimen, SpecimenEvent, SpecimenSource
from .storage import StorageUnit, position_label, row_label

__all__ = [
    "BarcodeSequence",
    "Centrifugation",
    "ImportFormat",
    "ImportJob",
    "ImportProblem",
    "ImportStatus",
    "Specimen",
    "SpecimenEvent",
    "SpecimenSource",
    "StorageUnit",
    "position_label",
    "row_label",
]
