"""MIABIS material types of specimens, from the shipped MIABIS sample-type list and the SPREC type of sample.

The MIABIS mapping (``data/miabis-sample-types.json``) names a SPREC code for 27 of its 66 types; SPREC types it
leaves out get the MIABIS type below (our reading of the SPREC meaning, written down in docs/specimens.md). DNA,
RNA, plasma and other derivatives have no SPREC type of their own: they carry SPREC ``ZZZ`` (other) and their
MIABIS material type says what they are.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

DATA_FILE = Path(__file__).resolve().parent / "data" / "miabis-sample-types.json"

# SPREC types of sample that the MIABIS mapping has no row for → the MIABIS v1.1 sample type that describes them.
SPREC_WITHOUT_MIABIS_ROW = {
    "BUC": "Swab",
    "BUF": "Buffy Coat",
    "BFF": "Buffy Coat",
    "CEN": "Primary cells",
    "CLN": "Primary cells",
    "PEN": "Primary cells",
    "PEL": "Peripheral blood mononuclear cells (PBMC)",
    "PL1": "Plasma",
    "PL2": "Plasma",
    "U24": "Urine",
    "URN": "Urine",
    "URM": "Urine",
    "URT": "Urine",
    "CTC": "Isolated Tumor Cell (neoplastic cell)",
    "PLP": "Dental pulp",
    "FNA": "Primary cells",
    "LCM": "Primary cells",
    "TCM": "Tissue (fresh frozen)",
    "TIS": "Tissue (fresh frozen)",
    "XXX": "Other",
}
FIXED_TISSUE = {"formalin": "Tissue (FFPE)"}


@cache
def _data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    return data


@cache
def material_types() -> dict[str, dict[str, Any]]:
    """``{MIABIS v1.1 sample type: its row}`` (aggregated and detailed v1.0 types, SPREC, SNOMED CT)."""
    return {row["label"]: row for row in _data()["sample_types"]}


@cache
def _by_sprec() -> dict[str, str]:
    mapped = {row["sprec"]: row["label"] for row in _data()["sample_types"] if row["sprec"]}
    return {**SPREC_WITHOUT_MIABIS_ROW, **mapped}


def material_for_sprec(sprec_type: str) -> str | None:
    """The MIABIS material type a SPREC type of sample stands for; ``None`` for ``ZZZ`` (the caller must say)."""
    return _by_sprec().get(sprec_type)


def directory_material(material_type: str) -> str:
    """The MIABIS v1.0 aggregated type (what the Directory's material types are built on)."""
    row = material_types().get(material_type)
    return str(row["aggregated_v1_0"]) if row else "Other"
