"""SPREC → MIABIS: the material type of a SPREC type of sample, the storage temperature of a long-term-storage letter.

Both mappings are data (``specimens/data/sprec-miabis.json``, with their provenance).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from typing import Any

from .codelists import DATA_DIR
from .errors import SprecError, SprecProblem, _, shown
from .tables import degrees

MIABIS_FILE = DATA_DIR / "sprec-miabis.json"


@dataclass(frozen=True, slots=True)
class MaterialType:
    """A MIABIS material type (Sample component v1.1) with its v1.0 aggregated/detailed types and SNOMED CT code."""

    material_type: str
    aggregated_v1_0: str
    detailed_v1_0: str
    snomed_ct: str | None


@dataclass(frozen=True, slots=True)
class StorageTemperature:
    """A MIABIS storage temperature: ``code`` of MIABIS on FHIR (``RT``, ``2to10``, ``-18to-35``, ``-60to-85``,
    ``LN``, ``Other``), its label, and the MIABIS 3 label (``None`` for liquid nitrogen: SPREC does not say the
    phase, which MIABIS 3 asks)."""

    code: str
    label: str
    miabis3: str | None


@cache
def _mapping() -> dict[str, Any]:
    return json.loads(MIABIS_FILE.read_text(encoding="utf-8"))


def miabis_material_type(sprec_type: str) -> MaterialType | None:
    """The MIABIS material type of a SPREC type of sample (``SER`` → Serum, SNOMED CT 119364003); ``None`` when the
    MIABIS mapping has no row for it (e.g. ``PL1``, ``TIS``)."""
    row = _mapping()["material_types"].get(sprec_type.strip().upper()) if isinstance(sprec_type, str) else None
    if row is None:
        return None
    return MaterialType(row["material_type"], row["aggregated_v1_0"], row["detailed_v1_0"], row["snomed_ct"])


def _problem(message: str, value: Any) -> SprecError:
    return SprecError([SprecProblem(message, shown(value), position=7, code="invalid")])


def miabis_storage_temperature(letter: str, recorded_temperature_c: float | None = None) -> StorageTemperature | None:
    """The MIABIS storage temperature of a long-term-storage letter (position 7); ``None`` for ``X`` (unknown).

    ``P`` (paraffin block, RT or 2-10 °C) and ``Y`` (primary container, -85 to -60 or -35 to -18 °C) need the
    recorded temperature to choose; :class:`SprecError` without it, or when it fits neither range."""
    data = _mapping()["storage_temperature"]
    key = letter.strip().upper() if isinstance(letter, str) else ""
    if key == "X":
        return None
    codes = data["codes"]
    if key in data["letters"]:
        row = data["letters"][key]
        return StorageTemperature(row["code"], codes[row["code"]], row["miabis3"])
    if key not in data["by_recorded_temperature"]:
        allowed = ", ".join(sorted([*data["letters"], *data["by_recorded_temperature"], "X"]))
        message = _("%(value)s is not a long-term storage letter; allowed: %(allowed)s.")
        raise _problem(message % {"value": shown(letter), "allowed": allowed}, letter)
    candidates = data["by_recorded_temperature"][key]
    if type(recorded_temperature_c) not in (int, float) or not math.isfinite(recorded_temperature_c):  # type: ignore[arg-type]
        message = _("Storage letter %(letter)s covers %(codes)s; the recorded temperature decides, and none was given.")
        raise _problem(message % {"letter": key, "codes": " or ".join(candidates)}, letter)
    whole = degrees(recorded_temperature_c)  # type: ignore[arg-type]
    for candidate in candidates:
        low, high = data["ranges"][candidate]
        if low <= whole <= high:
            return StorageTemperature(candidate, codes[candidate], data["miabis3_by_code"][candidate])
    message = _("Storage letter %(letter)s covers %(codes)s; the recorded %(degrees)d °C fits neither.")
    values: dict[str, Any] = {"letter": key, "codes": " or ".join(candidates), "degrees": whole}
    raise _problem(message % values, recorded_temperature_c)
