"""The specimens app's vocabularies: statuses with their transition tables, units, lineage, events, storage."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class SpecimenStatus(models.TextChoices):
    """Where a specimen stands. ``consent_blocked``: the donor's consent no longer lets it leave or be used."""

    AVAILABLE = "available", _("Available")
    RESERVED = "reserved", _("Reserved")
    DISTRIBUTED = "distributed", _("Distributed")
    CONSUMED = "consumed", _("Consumed")
    DESTROYED = "destroyed", _("Destroyed")
    CONSENT_BLOCKED = "consent_blocked", _("Consent-blocked")


S = SpecimenStatus
SPECIMEN_ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    S.AVAILABLE: frozenset({S.RESERVED, S.DISTRIBUTED, S.CONSUMED, S.DESTROYED, S.CONSENT_BLOCKED}),
    S.RESERVED: frozenset({S.AVAILABLE, S.DISTRIBUTED, S.CONSUMED, S.DESTROYED, S.CONSENT_BLOCKED}),
    # A shipment that comes back is available again (the "returned" event); what left is otherwise final here.
    S.DISTRIBUTED: frozenset({S.AVAILABLE, S.CONSENT_BLOCKED}),
    S.CONSUMED: frozenset(),
    S.DESTROYED: frozenset(),
    # A block is lifted only by staff after a consent correction (an invalidated withdrawal), or the material is
    # destroyed (withdrawal "no further use").
    S.CONSENT_BLOCKED: frozenset({S.AVAILABLE, S.DESTROYED}),
}
# Statuses in which a specimen is still in the biobank's hands (it can be placed, moved, processed).
IN_STOCK = frozenset({S.AVAILABLE, S.RESERVED, S.CONSENT_BLOCKED})


class LineageKind(models.TextChoices):
    PRIMARY = "primary", _("Primary specimen")
    ALIQUOT = "aliquot", _("Aliquot")
    DERIVATIVE = "derivative", _("Derivative")
    POOL = "pool", _("Pool")


class Dimension(models.TextChoices):
    VOLUME = "volume", _("volume")
    MASS = "mass", _("mass")
    CELLS = "cells", _("cells")
    COUNT = "count", _("count")


class QuantityUnit(models.TextChoices):
    """Units stored beside every quantity; compared, summed and exported after conversion to the base unit."""

    UL = "uL", "µL"
    ML = "mL", "mL"
    UG = "ug", "µg"
    MG = "mg", "mg"
    CELLS = "cells", _("cells")
    COUNT = "count", _("count")


# unit → (dimension, factor to the dimension's base unit: µL, µg, cells, count)
UNIT_BASE: dict[str, tuple[str, Decimal]] = {
    QuantityUnit.UL: (Dimension.VOLUME, Decimal(1)),
    QuantityUnit.ML: (Dimension.VOLUME, Decimal(1000)),
    QuantityUnit.UG: (Dimension.MASS, Decimal(1)),
    QuantityUnit.MG: (Dimension.MASS, Decimal(1000)),
    QuantityUnit.CELLS: (Dimension.CELLS, Decimal(1)),
    QuantityUnit.COUNT: (Dimension.COUNT, Decimal(1)),
}


class ConcentrationUnit(models.TextChoices):
    NG_PER_UL = "ng/uL", "ng/µL"
    UG_PER_ML = "ug/mL", "µg/mL"
    MG_PER_ML = "mg/mL", "mg/mL"
    CELLS_PER_ML = "cells/mL", _("cells/mL")


class EventType(models.TextChoices):
    """Append-only chain-of-custody events."""

    COLLECTED = "collected", _("Collected")
    RECEIVED = "received", _("Received")
    PROCESSED = "processed", _("Processed")
    ALIQUOTED = "aliquoted", _("Aliquoted")
    DERIVED = "derived", _("Derived")
    POOLED = "pooled", _("Pooled")
    STORED = "stored", _("Stored")
    MOVED = "moved", _("Moved")
    REMOVED = "removed", _("Taken out of storage")
    THAWED = "thawed", _("Thawed")
    QC_RESULT = "qc_result", _("QC result")
    RESERVED = "reserved", _("Reserved")
    RESERVATION_RELEASED = "reservation_released", _("Reservation released")
    SHIPPED = "shipped", _("Shipped")
    RETURNED = "returned", _("Returned")
    CONSUMED = "consumed", _("Consumed")
    DISPOSED = "disposed", _("Disposed")
    CONSENT_BLOCKED = "consent_blocked", _("Consent-blocked")
    CONSENT_UNBLOCKED = "consent_unblocked", _("Consent block lifted")
    SPREC_CHANGED = "sprec_changed", _("SPREC code changed")
    # Staff's decision about a specimen already shipped when its donor withdrew (recall, destroy, keep).
    WITHDRAWAL_DECISION = "withdrawal_decision", _("Decision after the donor's withdrawal")


class ShipmentDecision(models.TextChoices):
    """What staff decide about a specimen shipped before its donor's withdrawal."""

    RECALL = "recall", _("Recall it from the recipient")
    DESTROY = "destroy", _("Ask the recipient to destroy it")
    KEEP = "keep", _("Keep: used before the withdrawal, lawfully")


class QcMeasure(models.TextChoices):
    """QC results with the unit each is recorded in."""

    RIN = "rin", _("RNA integrity number (RIN)")
    DIN = "din", _("DNA integrity number (DIN)")
    VOLUME_CHECK = "volume_check", _("Volume check")
    CONCENTRATION = "concentration", _("Concentration")
    A260_280 = "a260_280", _("Purity A260/A280")


QC_UNITS: dict[str, tuple[str, ...]] = {
    QcMeasure.RIN: ("",),
    QcMeasure.DIN: ("",),
    QcMeasure.VOLUME_CHECK: (QuantityUnit.UL, QuantityUnit.ML),
    QcMeasure.CONCENTRATION: tuple(ConcentrationUnit.values),
    QcMeasure.A260_280: ("",),
}
# Inclusive value ranges a QC result must lie in (RIN and DIN are 1-10 by definition).
QC_RANGES: dict[str, tuple[Decimal, Decimal]] = {
    QcMeasure.RIN: (Decimal(1), Decimal(10)),
    QcMeasure.DIN: (Decimal(1), Decimal(10)),
    QcMeasure.VOLUME_CHECK: (Decimal(0), Decimal(10**9)),
    QcMeasure.CONCENTRATION: (Decimal(0), Decimal(10**9)),
    QcMeasure.A260_280: (Decimal(0), Decimal(5)),
}


class StorageKind(models.TextChoices):
    """Levels of the storage hierarchy; which kind may sit in which is ``STORAGE_PARENTS``."""

    SITE = "site", _("Site")
    ROOM = "room", _("Room")
    FREEZER = "freezer", _("Freezer")
    TANK = "tank", _("Liquid-nitrogen tank")
    RACK = "rack", _("Rack")
    SHELF = "shelf", _("Shelf")
    BOX = "box", _("Box")


K = StorageKind
STORAGE_PARENTS: dict[str, frozenset[str]] = {
    K.SITE: frozenset({""}),
    K.ROOM: frozenset({K.SITE}),
    K.FREEZER: frozenset({K.ROOM, K.SITE}),
    K.TANK: frozenset({K.ROOM, K.SITE}),
    K.RACK: frozenset({K.FREEZER, K.TANK, K.SHELF}),
    K.SHELF: frozenset({K.FREEZER, K.TANK, K.ROOM}),
    K.BOX: frozenset({K.RACK, K.SHELF, K.FREEZER, K.TANK}),
}
MAX_BOX_SIDE = 48  # a 1536-well plate is 32 x 48: nothing a biobank stores is bigger


class SpecimenAuditAction(models.TextChoices):
    """The specimens app's audit actions, registered with the core's trail from ``SpecimensConfig.ready()``."""

    SPECIMEN_REGISTER = "specimen.register", _("Specimen registered")
    SPECIMEN_ALIQUOT = "specimen.aliquot", _("Aliquots created")
    SPECIMEN_DERIVE = "specimen.derive", _("Derivative created")
    SPECIMEN_POOL = "specimen.pool", _("Pool created")
    SPECIMEN_UPDATE = "specimen.update", _("Specimen changed")
    SPECIMEN_STATUS = "specimen.status", _("Specimen status changed")
    SPECIMEN_EVENT = "specimen.event", _("Specimen event recorded")
    SPECIMEN_PLACE = "specimen.place", _("Specimen placed")
    SPECIMEN_MOVE = "specimen.move", _("Specimen moved")
    SPECIMEN_UNPLACE = "specimen.unplace", _("Specimen taken out of storage")
    SPECIMEN_CONSENT_BLOCK = "specimen.consent_block", _("Specimens consent-blocked")
    SPECIMEN_WITHDRAWAL_DECISION = (
        "specimen.withdrawal_decision",
        _("Decision on a shipped specimen after a withdrawal"),
    )
    SPECIMEN_IMPORT = "specimen.import", _("Specimens imported")
    SPECIMEN_IMPORT_UPLOAD = "specimen.import_upload", _("Import file uploaded")
    SPECIMEN_LABELS = "specimen.labels", _("Labels printed")
    SPECIMEN_EXPORT = "specimen.export", _("Specimen list exported")
    STORAGE_CREATE = "storage.create", _("Storage unit created")
    STORAGE_UPDATE = "storage.update", _("Storage unit changed")
