"""The columns of an import file: name, whether required, format, allowed values, example, and the model field.

One table drives everything: the header check, the row converters, the downloadable template's README sheet and
docs/specimens.md. Fact columns carry the names of the SPREC derive facts (``POST /api/v1/sprec/derive/``) where
SPREC has one; ``collection_time``/``reception_time`` fill ``collected_at``/``received_at``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ..choices import ConcentrationUnit, QuantityUnit
from ..models.specimens import Centrifugation
from ..sprec.tables import tables

# The storage facts SPREC knows, from the shipped code lists (the derivation and the API offer the same).
STORAGE_CONTAINERS = tables().containers
STORAGE_METHODS = tables().methods
TEXT, DECIMAL, MINUTES, TEMPERATURE, TIMESTAMP, CHOICE, BOOLEAN, CODE = (
    "text",
    "decimal",
    "minutes",
    "temperature",
    "timestamp",
    "choice",
    "boolean",
    "code",
)


@dataclass(frozen=True)
class Column:
    """One column of the file; ``field`` is the ``Specimen`` field it fills (empty: used to resolve something)."""

    name: str
    kind: str
    help: str | Promise
    example: str = ""
    required: bool = False
    field: str = ""
    allowed: tuple[str, ...] = ()
    max_length: int = 0

    @property
    def target(self) -> str:
        return self.field or self.name


SPIN_HELP = _("none (not centrifuged), done (then give the four values after it) or empty (unknown)")
SPIN = tuple(c for c in Centrifugation.values if c)


SPIN_HELPS = {
    "centrifugation": (
        _("Centrifugation temperature in °C"),
        _("Centrifugation duration in whole minutes"),
        _("Centrifugation force in x g (a whole number)"),
        _("Centrifugation with braking: yes or no"),
    ),
    "second_centrifugation": (
        _("Second centrifugation temperature in °C"),
        _("Second centrifugation duration in whole minutes"),
        _("Second centrifugation force in x g (a whole number)"),
        _("Second centrifugation with braking: yes or no"),
    ),
}


def _spin_columns(prefix: str) -> list[Column]:
    temperature, duration, g_force, braking = SPIN_HELPS[prefix]
    return [
        Column(prefix, CHOICE, SPIN_HELP, "done" if prefix == "centrifugation" else "none", allowed=SPIN),
        Column(f"{prefix}_temperature_c", TEMPERATURE, temperature, "20" if prefix == "centrifugation" else ""),
        Column(f"{prefix}_duration_min", MINUTES, duration, "10" if prefix == "centrifugation" else ""),
        Column(f"{prefix}_g_force", MINUTES, g_force, "2000" if prefix == "centrifugation" else ""),
        Column(f"{prefix}_braking", BOOLEAN, braking, "yes" if prefix == "centrifugation" else ""),
    ]


COLUMNS: tuple[Column, ...] = (
    Column("barcode", CODE, _("The tube's barcode; empty: one is generated from the biobank's pattern"), "BB-000123"),
    Column("donor_pid", TEXT, _("The donor's PID (with or without hyphens)"), "7KQ2M-X9TRB-3", required=True),
    Column("collection", TEXT, _("Code of a collection of the biobank"), "breast-2019", required=True),
    Column("sample_type", TEXT, _("SPREC v3.0 type of sample (3 letters)"), "SER", required=True),
    Column("kind", CHOICE, _("fluid or solid: only for a type listed as both"), "", allowed=("fluid", "solid")),
    Column("material_type", TEXT, _("MIABIS material type: only for ZZZ (DNA, RNA …)"), "", max_length=60),
    Column("quantity", DECIMAL, _("Amount in the tube (up to 4 decimals)"), "0.5", required=True),
    Column("unit", CHOICE, _("Unit of quantity"), "mL", required=True, allowed=tuple(QuantityUnit.values)),
    Column("concentration", DECIMAL, _("Concentration, if measured"), ""),
    Column("concentration_unit", CHOICE, _("Unit of concentration"), "", allowed=tuple(ConcentrationUnit.values)),
    Column(
        "parent_barcode",
        TEXT,
        _("Barcode of the specimen this one was taken from (in the biobank, or an earlier row); empty: a primary"),
        "",
        max_length=64,
    ),
    Column("used_quantity", DECIMAL, _("How much of the parent was used (needed for a derivative)"), ""),
    Column("used_unit", CHOICE, _("Unit of used_quantity (default: unit)"), "", allowed=tuple(QuantityUnit.values)),
    Column(
        "collection_time",
        TIMESTAMP,
        _("ISO 8601 date and time with offset; without one, the server's time zone"),
        "2024-05-06T08:30:00+02:00",
        field="collected_at",
    ),
    Column("reception_time", TIMESTAMP, _("ISO 8601 date and time"), "2024-05-06T09:10:00+02:00", field="received_at"),
    Column("primary_container", CODE, _("SPREC position 2 code of a fluid (e.g. SST, PED)"), "SST", max_length=3),
    Column("collection_type", CODE, _("SPREC position 2 code of a solid (e.g. SCI)"), "", max_length=3),
    Column("pre_centrifugation_delay_min", MINUTES, _("Minutes from collection to centrifugation"), "60"),
    Column("pre_centrifugation_temperature_c", TEMPERATURE, _("°C before centrifugation"), "21"),
    *_spin_columns("centrifugation"),
    *_spin_columns("second_centrifugation"),
    Column("post_centrifugation_delay_min", MINUTES, _("Minutes from centrifugation to storage"), "30"),
    Column("post_centrifugation_temperature_c", TEMPERATURE, _("°C after centrifugation"), "4"),
    Column("storage_started_at", TIMESTAMP, _("ISO 8601 date and time storage began"), ""),
    Column("storage_container", CHOICE, _("Long-term storage container"), "cryotube-1-2ml", allowed=STORAGE_CONTAINERS),
    Column("storage_method", CHOICE, _("Storage method"), "freezer", allowed=STORAGE_METHODS),
    Column("storage_temperature_c", TEMPERATURE, _("Storage temperature in °C"), "-80"),
    Column("warm_ischemia_min", MINUTES, _("Solid tissue: warm ischemia in minutes"), ""),
    Column("cold_ischemia_min", MINUTES, _("Solid tissue: cold ischemia in minutes"), ""),
    Column("fixation", CODE, _("Solid tissue: SPREC position 5 code (e.g. NBF)"), "", max_length=40),
    Column("fixation_duration_min", MINUTES, _("Solid tissue: fixation time in minutes"), ""),
    Column(
        "sprec_code",
        CODE,
        _("A SPREC code entered directly where the facts are unknown; else derived"),
        "",
        max_length=32,
    ),
    Column("notes", TEXT, _("Free text"), "", max_length=2000),
)
BY_NAME = {column.name: column for column in COLUMNS}
REQUIRED = tuple(column.name for column in COLUMNS if column.required)
HEADER = tuple(column.name for column in COLUMNS)


def format_text(column: Column) -> str | Promise:
    """How the README and docs describe a column's format."""
    return {
        TEXT: _("text"),
        CODE: _("code (letters, digits, - . _)"),
        DECIMAL: _("decimal number (. or ,)"),
        MINUTES: _("whole number ≥ 0"),
        TEMPERATURE: _("number in °C (one decimal)"),
        TIMESTAMP: _("ISO 8601 date-time"),
        CHOICE: _("one of the allowed values"),
        BOOLEAN: _("yes/no (also true/false, 1/0)"),
    }[column.kind]
