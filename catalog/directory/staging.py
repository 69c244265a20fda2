"""The Directory's staging model, as shipped in ``catalog/data/directory-staging.json`` (provenance inside).

Only the five upload sheets (``persons``, ``networks``, ``biobanks``, ``collections``, ``facts``) with exactly their
columns, in order. Cell conventions of the Directory (EMX2): multi-valued cells comma-separated, booleans ``true`` /
``false``, dates ISO ``YYYY-MM-DD``, ICD-10 diseases as ``urn:miriam:icd:<code>``, DUO terms as ``DUO_0000042``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

STAGING_FILE = Path(__file__).resolve().parent.parent / "data" / "directory-staging.json"
SHEETS = ("persons", "networks", "biobanks", "collections", "facts")
TRUE, FALSE = "true", "false"
SEPARATOR = ","

# Directory ontology (``ref``) -> our vocabulary name (catalog/data/vocabularies.json)
VOCABULARY_OF_REF = {
    "Countries": "Directory.Countries",
    "SexTypes": "Directory.SexTypes",
    "AgeRanges": "Directory.AgeRanges",
    "AgeUnits": "Directory.AgeUnits",
    "MaterialTypes": "Directory.MaterialTypes",
    "StorageTemperatureTypes": "Directory.StorageTemperatureTypes",
    "CollectionTypes": "Directory.CollectionTypes",
    "DataCategories": "Directory.DataCategories",
    "DataUseOntologies": "Directory.DataUseOntologies",
    "AccessTypes": "Directory.AccessTypes",
    "SOPs": "Directory.SOPs",
    "SampleSizes": "Directory.SampleSizes",
    "CommonNetworkElements": "Directory.CommonNetworkElements",
}
# Columns of the staging model this installation does not store: exported empty; on import a value is reported as a
# warning and not kept (the vocabularies BodyParts, ImagingModalities, ImageDatasetTypes are not shipped either).
NOT_STORED = {
    "networks": ("also_known",),
    "biobanks": ("also_known",),
    "collections": (
        "location", "latitude", "longitude", "also_known", "studies", "timestamp", "body_part_examined",
        "imaging_modality", "image_dataset_type", "duc_profile",
    ),
}  # fmt: skip


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    type: str
    ref: str = ""
    ref_table: str = ""
    multi: bool = False


@dataclass(frozen=True)
class Sheet:
    name: str
    table: str
    id_regex: re.Pattern[str]
    id_message: str
    columns: tuple[Column, ...]

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


@cache
def staging() -> dict[str, Sheet]:
    raw = json.loads(STAGING_FILE.read_text(encoding="utf-8"))["sheets"]
    sheets = {}
    for name in SHEETS:
        body = raw[name]
        # JavaScript's [\w-:] is word characters plus '-' and ':'; Python wants [\w:-]
        pattern = re.compile(body["id_regex"].replace(r"[\w-:]", r"[\w:-]"), re.ASCII)
        columns = tuple(
            Column(
                c["name"],
                bool(c["required"]),
                c["type"],
                c.get("ref") or "",
                c.get("ref_table") or "",
                bool(c.get("multi")),
            )
            for c in body["columns"]
        )
        sheets[name] = Sheet(name, body["table"], pattern, body["id_message"], columns)
    return sheets


TABLE_TO_SHEET = {"Persons": "persons", "Networks": "networks", "Biobanks": "biobanks", "Collections": "collections"}
