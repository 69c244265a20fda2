"""Specimens with their pre-analytical facts, lineage, mass balance and position; append-only events.

Mass balance: ``initial_quantity`` is what the specimen had when it was registered, ``quantity`` what is left.
Every aliquot, derivative or pool records what it took from each parent (``SpecimenSource.used_quantity``, in the
parent's unit) and the parent's ``quantity`` drops by as much in the same transaction; the database refuses a
negative ``quantity`` (check constraint), so no interleaving of requests can overdraw a parent.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from biobank.accounts.models import Biobank
from catalog.models import Collection
from consent.models import Donor

from ..choices import (
    IN_STOCK,
    SPECIMEN_ALLOWED_TRANSITIONS,
    ConcentrationUnit,
    EventType,
    LineageKind,
    QuantityUnit,
    SpecimenStatus,
)
from .storage import StorageUnit, position_label

BARCODE_MAX_LENGTH = 64
QUANTITY_DIGITS, QUANTITY_PLACES = 16, 4


class Centrifugation(models.TextChoices):
    UNKNOWN = "", _("unknown")
    NONE = "none", _("none")
    DONE = "done", _("done")


class Specimen(models.Model):
    """A tube, block or well of material from one donor, with what happened to it before it was stored."""

    # No single-column indexes on these three: the composite indexes of Meta lead with each of them.
    biobank = models.ForeignKey(Biobank, on_delete=models.PROTECT, related_name="specimens", db_index=False)
    collection = models.ForeignKey(Collection, on_delete=models.PROTECT, related_name="specimens", db_index=False)
    donor = models.ForeignKey(Donor, on_delete=models.PROTECT, related_name="specimens", db_index=False)
    barcode = models.CharField(_("barcode"), max_length=BARCODE_MAX_LENGTH, unique=True)
    sample_type = models.CharField(_("sample type"), max_length=3, help_text=_("SPREC type of sample"))
    sprec_kind = models.CharField(max_length=5, choices=[("fluid", _("fluid")), ("solid", _("solid"))])
    material_type = models.CharField(
        _("material type"), max_length=60, help_text=_("MIABIS sample type (DNA, Plasma, Serum, Tissue (FFPE) …)")
    )
    lineage = models.CharField(_("lineage"), max_length=10, choices=LineageKind.choices, default=LineageKind.PRIMARY)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", help_text=_("not for pools")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=SpecimenStatus.choices, default=SpecimenStatus.AVAILABLE
    )
    diagnosis = models.CharField(
        _("diagnosis"),
        max_length=40,
        blank=True,
        default="",
        db_default="",  # the import's set-based INSERT leaves it out
        help_text=_("ICD-10 (WHO 2019) or ORPHA code of the donor's disease this specimen documents (optional)"),
    )
    initial_quantity = models.DecimalField(
        _("initial quantity"), max_digits=QUANTITY_DIGITS, decimal_places=QUANTITY_PLACES
    )
    quantity = models.DecimalField(_("quantity left"), max_digits=QUANTITY_DIGITS, decimal_places=QUANTITY_PLACES)
    unit = models.CharField(_("unit"), max_length=8, choices=QuantityUnit.choices)
    concentration = models.DecimalField(
        _("concentration"), null=True, blank=True, max_digits=QUANTITY_DIGITS, decimal_places=QUANTITY_PLACES
    )
    concentration_unit = models.CharField(
        _("concentration unit"), max_length=10, choices=ConcentrationUnit.choices, blank=True
    )
    freeze_thaw_count = models.PositiveSmallIntegerField(_("freeze-thaw cycles"), default=0)
    # --- pre-analytical facts (SPREC is computed from these) ---
    collected_at = models.DateTimeField(_("collection time"), null=True, blank=True)
    received_at = models.DateTimeField(_("reception time"), null=True, blank=True)
    primary_container = models.CharField(_("primary container"), max_length=3, blank=True)
    collection_type = models.CharField(_("type of collection"), max_length=3, blank=True)
    pre_centrifugation_delay_min = models.PositiveIntegerField(
        _("pre-centrifugation delay (min)"), null=True, blank=True
    )
    pre_centrifugation_temperature_c = models.DecimalField(
        _("pre-centrifugation temperature (°C)"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    centrifugation = models.CharField(max_length=4, choices=Centrifugation.choices, blank=True)
    centrifugation_temperature_c = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    centrifugation_duration_min = models.PositiveIntegerField(null=True, blank=True)
    centrifugation_g_force = models.PositiveIntegerField(null=True, blank=True)
    centrifugation_braking = models.BooleanField(null=True, blank=True)
    second_centrifugation = models.CharField(max_length=4, choices=Centrifugation.choices, blank=True)
    second_centrifugation_temperature_c = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    second_centrifugation_duration_min = models.PositiveIntegerField(null=True, blank=True)
    second_centrifugation_g_force = models.PositiveIntegerField(null=True, blank=True)
    second_centrifugation_braking = models.BooleanField(null=True, blank=True)
    post_centrifugation_delay_min = models.PositiveIntegerField(null=True, blank=True)
    post_centrifugation_temperature_c = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    storage_started_at = models.DateTimeField(_("storage start"), null=True, blank=True)
    storage_container = models.CharField(_("storage container"), max_length=24, blank=True)
    storage_method = models.CharField(_("storage method"), max_length=32, blank=True)
    storage_temperature_c = models.DecimalField(
        _("storage temperature (°C)"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    warm_ischemia_min = models.PositiveIntegerField(_("warm ischemia (min)"), null=True, blank=True)
    cold_ischemia_min = models.PositiveIntegerField(_("cold ischemia (min)"), null=True, blank=True)
    fixation = models.CharField(_("fixation"), max_length=40, blank=True)
    fixation_duration_min = models.PositiveIntegerField(_("fixation time (min)"), null=True, blank=True)
    # --- SPREC: computed from the facts (cached, audited) or entered where the facts are unknown ---
    sprec_code = models.CharField(_("SPREC code"), max_length=32, blank=True)
    sprec_entered = models.BooleanField(_("SPREC entered directly"), default=False)
    # --- position ---
    box = models.ForeignKey(StorageUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="specimens")
    box_row = models.PositiveSmallIntegerField(null=True, blank=True)
    box_column = models.PositiveSmallIntegerField(null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # The ``lineage`` must agree with ``parent``; a pool's parents are its SpecimenSource rows.
    class Meta:
        ordering = ["-created_at", "-id"]
        default_permissions = ("view",)
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=0), name="specimen_quantity_not_negative"),
            models.CheckConstraint(condition=Q(initial_quantity__gte=0), name="specimen_initial_not_negative"),
            models.CheckConstraint(
                condition=Q(quantity__lte=models.F("initial_quantity")), name="specimen_quantity_at_most_initial"
            ),
            models.CheckConstraint(
                condition=(Q(lineage__in=[LineageKind.ALIQUOT, LineageKind.DERIVATIVE]) & Q(parent__isnull=False))
                | (Q(lineage__in=[LineageKind.PRIMARY, LineageKind.POOL]) & Q(parent__isnull=True)),
                name="specimen_parent_matches_lineage",
            ),
            models.CheckConstraint(
                condition=Q(box__isnull=True, box_row__isnull=True, box_column__isnull=True)
                | Q(box__isnull=False, box_row__gte=1, box_column__gte=1),
                name="specimen_position_complete",
            ),
            models.UniqueConstraint(
                fields=["box", "box_row", "box_column"],
                condition=Q(box__isnull=False),
                name="specimen_one_per_position",
            ),
            models.CheckConstraint(
                condition=Q(status__in=sorted(IN_STOCK)) | Q(box__isnull=True), name="specimen_placed_only_in_stock"
            ),
        ]
        indexes = [
            models.Index(fields=["biobank", "-created_at", "-id"], name="specimen_biobank_recent"),
            # The API's cursor order (newest id first) within a biobank: without it a page of a biobank whose
            # specimens are old scans the whole primary key backwards (docs/performance.md, "API throughput").
            models.Index(fields=["biobank", "-id"], name="specimen_biobank_newest_id"),
            models.Index(fields=["donor"], name="specimen_donor"),
            models.Index(fields=["collection", "sample_type"], name="specimen_collection_type"),
            models.Index(fields=["biobank", "status"], name="specimen_biobank_status"),
            # Leads with (collection, status) as its predecessor did; with the material type and every other column
            # a feasibility count reads (donor, collection date for an age, diagnosis) the count of available
            # specimens of some materials in some collections, grouped by donor, is an index-only scan instead of a
            # pass over the wide rows (docs/performance.md, "Fourth pass").
            models.Index(
                fields=["collection", "status", "material_type"],
                include=["donor", "collected_at", "diagnosis"],
                name="specimen_coll_status_material",
            ),
        ]

    def __str__(self) -> str:
        return self.barcode

    def can_become(self, status: str) -> bool:
        return status in SPECIMEN_ALLOWED_TRANSITIONS[self.status]

    @property
    def in_stock(self) -> bool:
        return self.status in IN_STOCK

    @property
    def position(self) -> str:
        if self.box_id is None or self.box_row is None or self.box_column is None:
            return ""
        return position_label(self.box_row, self.box_column)

    @property
    def used_quantity(self) -> Decimal:
        return self.initial_quantity - self.quantity

    def facts(self) -> dict[str, Any]:
        """The recorded pre-analytical facts in the shape of ``specimens.sprec.derive`` (missing facts left out)."""
        facts: dict[str, Any] = {
            "sample_type": self.sample_type,
            "primary_container": self.primary_container,
            "collection_type": self.collection_type,
            "collection_time": self.collected_at,
            "pre_centrifugation_delay_min": self.pre_centrifugation_delay_min,
            "pre_centrifugation_temperature_c": self.pre_centrifugation_temperature_c,
            "post_centrifugation_delay_min": self.post_centrifugation_delay_min,
            "post_centrifugation_temperature_c": self.post_centrifugation_temperature_c,
            "storage_container": self.storage_container,
            "storage_method": self.storage_method,
            "storage_temperature_c": self.storage_temperature_c,
            "warm_ischemia_min": self.warm_ischemia_min,
            "cold_ischemia_min": self.cold_ischemia_min,
            "fixation": self.fixation,
            "fixation_duration_min": self.fixation_duration_min,
        }
        for name in ("centrifugation", "second_centrifugation"):
            done = getattr(self, name)
            if done == Centrifugation.NONE:
                facts[name] = "none"
            elif done == Centrifugation.DONE:
                facts[name] = {
                    key: getattr(self, f"{name}_{key}")
                    for key in ("temperature_c", "duration_min", "g_force", "braking")
                }
        return {key: _plain(value) for key, value in facts.items() if value not in (None, "")}


def _plain(value: Any) -> Any:
    """Decimals (temperatures) as floats, as the SPREC engine and JSON take them; nested dicts too."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


class SpecimenSource(models.Model):
    """What a derived specimen took from one parent: one row for an aliquot or derivative, several for a pool."""

    specimen = models.ForeignKey(Specimen, on_delete=models.PROTECT, related_name="sources")
    parent = models.ForeignKey(Specimen, on_delete=models.PROTECT, related_name="uses")
    used_quantity = models.DecimalField(
        max_digits=QUANTITY_DIGITS, decimal_places=QUANTITY_PLACES, help_text="in the parent's unit"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["specimen", "parent"], name="specimen_source_once"),
            models.CheckConstraint(condition=Q(used_quantity__gte=0), name="specimen_source_used_not_negative"),
            models.CheckConstraint(condition=~Q(specimen=models.F("parent")), name="specimen_source_not_self"),
        ]
        indexes = [models.Index(fields=["parent"], name="specimen_source_parent")]

    def __str__(self) -> str:
        return f"{self.parent_id} → {self.specimen_id}: {self.used_quantity}"


class SpecimenEvent(models.Model):
    """One step in a specimen's chain of custody. Append-only: the database refuses UPDATE and DELETE."""

    # No index of their own (migration 0006_import_speed): ``specimen_event_timeline`` starts with the specimen and
    # serves every look-up by specimen (the timeline, the key's checks); nothing reads the events by biobank. One
    # index fewer per event row for the import (docs/performance.md, "Specimen import").
    specimen = models.ForeignKey(Specimen, on_delete=models.PROTECT, related_name="events", db_index=False)
    # denormalised from the specimen (whose own key is checked): no foreign-key check per event row
    biobank = models.ForeignKey(
        Biobank, on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    type = models.CharField(_("event"), max_length=24, choices=EventType.choices)
    occurred_at = models.DateTimeField(_("when"))
    recorded_at = models.DateTimeField(auto_now_add=True)
    actor_label = models.CharField(max_length=254, blank=True)
    # Free details by type: positions for moves, measure/value/unit for QC, purpose and recipient for shipments,
    # and the consent gate's answer (``gate``) on reservations and shipments.
    details = models.JSONField(default=dict, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        default_permissions = ()
        indexes = [models.Index(fields=["specimen", "occurred_at", "id"], name="specimen_event_timeline")]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.occurred_at:%Y-%m-%d %H:%M}"


class BarcodeSequence(models.Model):
    """The next number of a biobank's generated barcodes (``SPECIMEN_BARCODE_PATTERN``), taken under a row lock."""

    biobank = models.OneToOneField(Biobank, on_delete=models.PROTECT, related_name="+")
    next_value = models.PositiveBigIntegerField(default=1, validators=[MinValueValidator(1)])

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.biobank_id}: {self.next_value}"
