"""Registering specimens: primary specimens (with aliquots in one go), aliquots, derivatives and pools.

Mass balance: what a child takes is deducted from each parent under a row lock in the same transaction, in the
parent's unit; a parent left with nothing is ``consumed`` (and leaves its box). The database refuses a negative
quantity whatever the caller (``specimen_quantity_not_negative``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from biobank.accounts.principals import Actor, person_or_none
from biobank.audit.services import audit_record, audit_record_many
from biobank.errors import DomainError, validate_model
from catalog.models import Collection
from consent.models import Donor
from consent.withdrawal_effects import withdrawn_donor_ids

from ..catalog_facts import facts_changed
from ..choices import EventType, LineageKind, SpecimenAuditAction, SpecimenStatus
from ..models import Specimen, SpecimenSource
from .barcodes import barcode_checked, barcodes_generate
from .diagnoses import diagnosis_checked
from .events import event_add, events_add_many
from .permissions import require_change_specimens
from .quantities import converted_exactly, dimension, quantity_checked, unit_checked
from .sprec_codes import sample_type_checked, sprec_code_for

# The recorded pre-analytical facts (model fields) a caller may give; a derivative or aliquot inherits them.
FACT_FIELDS = (
    "collected_at",
    "received_at",
    "primary_container",
    "collection_type",
    "pre_centrifugation_delay_min",
    "pre_centrifugation_temperature_c",
    "centrifugation",
    "centrifugation_temperature_c",
    "centrifugation_duration_min",
    "centrifugation_g_force",
    "centrifugation_braking",
    "second_centrifugation",
    "second_centrifugation_temperature_c",
    "second_centrifugation_duration_min",
    "second_centrifugation_g_force",
    "second_centrifugation_braking",
    "post_centrifugation_delay_min",
    "post_centrifugation_temperature_c",
    "storage_started_at",
    "storage_container",
    "storage_method",
    "storage_temperature_c",
    "warm_ischemia_min",
    "cold_ischemia_min",
    "fixation",
    "fixation_duration_min",
)
PROCESSABLE = frozenset({SpecimenStatus.AVAILABLE, SpecimenStatus.RESERVED})


@dataclass(frozen=True)
class AliquotPlan:
    """``count`` aliquots of ``quantity`` ``unit`` each ("10 x 0.5 mL"), with optional scanned barcodes."""

    count: int
    quantity: Decimal
    unit: str
    barcodes: Sequence[str] = ()


def _facts_checked(facts: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(facts) - set(FACT_FIELDS)
    if unknown:
        raise DomainError(
            _("Unknown pre-analytical fact(s) %(unknown)s; known facts: %(known)s.")
            % {"unknown": ", ".join(sorted(unknown)), "known": ", ".join(FACT_FIELDS)},
            field="facts",
        )
    return {name: value for name, value in facts.items() if value is not None}


def _initial_status(donor: Donor) -> str:
    blocked = withdrawn_donor_ids([donor.pk])
    return SpecimenStatus.CONSENT_BLOCKED if blocked else SpecimenStatus.AVAILABLE


def _apply_sprec(specimen: Specimen, entered: str = "") -> None:
    specimen.sprec_code, specimen.sprec_entered = sprec_code_for(
        kind=specimen.sprec_kind, sample_type=specimen.sample_type, facts=specimen.facts(), entered=entered
    )


def _save_new(specimen: Specimen) -> Specimen:
    validate_model(specimen, exclude=["biobank", "collection", "donor", "parent", "box", "created_by"])
    try:
        with transaction.atomic():
            specimen.save(force_insert=True)
    except IntegrityError as error:
        raise DomainError(
            _("Specimen %(barcode)s could not be saved: %(detail)s") % {"barcode": specimen.barcode, "detail": error},
            code="integrity",
        ) from None
    facts_changed()
    return specimen


def _barcodes(biobank: Any, given: Sequence[str], count: int, field: str) -> list[str]:
    given = [code.strip() for code in given if code and code.strip()]
    if len(given) > count:
        raise DomainError(
            _("%(given)d barcodes were given for %(count)d specimens.") % {"given": len(given), "count": count},
            field=field,
        )
    if len(set(given)) != len(given):
        raise DomainError(_("The same barcode was given twice."), field=field, code="barcode_taken")
    checked = [barcode_checked(code, field=field) for code in given]
    return checked + barcodes_generate(biobank, count - len(checked)) if count > len(checked) else checked


@transaction.atomic
def specimen_register(
    *,
    actor: Actor,
    collection: Collection,
    donor: Donor,
    sample_type: str,
    quantity: Any,
    unit: str,
    barcode: str = "",
    kind: str = "",
    material_type: str = "",
    concentration: Any = None,
    concentration_unit: str = "",
    sprec_code: str = "",
    notes: str = "",
    facts: Mapping[str, Any] | None = None,
    aliquots: AliquotPlan | None = None,
    diagnosis: str = "",
) -> Specimen:
    """A primary specimen of ``donor`` in ``collection``; with ``aliquots``, its aliquots in the same step."""
    biobank = collection.biobank
    require_change_specimens(actor, biobank)
    if donor.biobank_id != biobank.pk:
        raise DomainError(
            _("Donor %(pid)s is not a donor of %(biobank)s.") % {"pid": donor.pid_display, "biobank": biobank.name},
            field="donor",
        )
    if donor.merged_into_id is not None:
        raise DomainError(
            _("Donor %(pid)s was merged into another donor; register the specimen for that donor.")
            % {"pid": donor.pid_display},
            field="donor",
        )
    sample_type, kind, material_type = sample_type_checked(sample_type, kind=kind, material_type=material_type)
    specimen = Specimen(
        biobank=biobank,
        collection=collection,
        donor=donor,
        barcode=_barcodes(biobank, [barcode], 1, "barcode")[0],
        sample_type=sample_type,
        sprec_kind=kind,
        material_type=material_type,
        lineage=LineageKind.PRIMARY,
        status=_initial_status(donor),
        diagnosis=diagnosis_checked(diagnosis),
        unit=unit_checked(unit),
        concentration_unit=concentration_unit,
        notes=notes,
        created_by=person_or_none(actor),
        **_facts_checked(facts or {}),
    )
    specimen.initial_quantity = specimen.quantity = quantity_checked(quantity)
    if concentration not in (None, ""):
        specimen.concentration = quantity_checked(concentration, field="concentration", allow_zero=True)
    _apply_sprec(specimen, sprec_code)
    _save_new(specimen)
    if specimen.collected_at:
        event_add(actor=actor, specimen=specimen, type=EventType.COLLECTED, occurred_at=specimen.collected_at)
    if specimen.received_at:
        event_add(actor=actor, specimen=specimen, type=EventType.RECEIVED, occurred_at=specimen.received_at)
    audit_record(
        actor=actor,
        action=SpecimenAuditAction.SPECIMEN_REGISTER,
        obj=specimen,
        changes={
            "barcode": [None, specimen.barcode],
            "donor": [None, donor.pid],
            "collection": [None, collection.code],
            "sample_type": [None, sample_type],
            "quantity": [None, f"{specimen.quantity} {specimen.unit}"],
            "sprec_code": [None, specimen.sprec_code],
            "status": [None, specimen.status],
            **({"diagnosis": [None, specimen.diagnosis]} if specimen.diagnosis else {}),
        },
    )
    if aliquots is not None:
        specimens_aliquot(
            actor=actor,
            parent=specimen,
            count=aliquots.count,
            quantity=aliquots.quantity,
            unit=aliquots.unit,
            barcodes=aliquots.barcodes,
        )
        specimen.refresh_from_db()
    return specimen


def _locked_parents(parents: Sequence[Specimen]) -> dict[int, Specimen]:
    ids = sorted({parent.pk for parent in parents})
    locked = {s.pk: s for s in Specimen.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
    for parent in locked.values():
        if parent.status not in PROCESSABLE:
            raise DomainError(
                _("Specimen %(barcode)s is %(status)s; only available or reserved specimens can be processed.")
                % {"barcode": parent.barcode, "status": parent.get_status_display()},
                field="parent",
                code="status",
            )
    return locked


def _deduct(*, actor: Actor, parent: Specimen, used: Decimal, field: str) -> None:
    """Take ``used`` (in the parent's unit) from the locked ``parent``; consumed when nothing is left."""
    if used > parent.quantity:
        raise DomainError(
            _("Specimen %(barcode)s has %(left)s %(unit)s left; %(used)s %(unit)s cannot be taken from it.")
            % {"barcode": parent.barcode, "left": parent.quantity.normalize(), "unit": parent.unit, "used": used},
            field=field,
            code="mass_balance",
        )
    parent.quantity -= used
    fields = ["quantity", "updated_at"]
    if parent.quantity == 0:
        parent.status = SpecimenStatus.CONSUMED
        parent.box, parent.box_row, parent.box_column = None, None, None
        fields += ["status", "box", "box_row", "box_column"]
        event_add(actor=actor, specimen=parent, type=EventType.CONSUMED, details={"reason": "used up"})
    parent.save(update_fields=fields)


def _child(source: Specimen, **values: Any) -> Specimen:
    inherited = {name: getattr(source, name) for name in FACT_FIELDS}
    inherited.update(
        biobank_id=source.biobank_id,
        collection_id=source.collection_id,
        donor_id=source.donor_id,
        sample_type=source.sample_type,
        sprec_kind=source.sprec_kind,
        material_type=source.material_type,
        diagnosis=source.diagnosis,
        sprec_code=source.sprec_code,
        sprec_entered=source.sprec_entered,
        status=SpecimenStatus.AVAILABLE,
    )
    return Specimen(**{**inherited, **values})


def _children_blocked(children: Sequence[Specimen]) -> None:
    """Aliquots and derivatives of a donor who withdrew are consent-blocked from the start — also when they are
    processed after the withdrawal but before its propagation reached the parent."""
    blocked = withdrawn_donor_ids({c.donor_id for c in children})
    for child in children:
        if child.donor_id in blocked:
            child.status = SpecimenStatus.CONSENT_BLOCKED


@transaction.atomic
def specimens_aliquot(
    *,
    actor: Actor,
    parent: Specimen,
    count: int,
    quantity: Any,
    unit: str,
    barcodes: Sequence[str] = (),
) -> list[Specimen]:
    """``count`` aliquots of ``quantity`` ``unit`` each, taken from ``parent`` (same dimension of unit)."""
    require_change_specimens(actor, parent.biobank)
    if not isinstance(count, int) or not 1 <= count <= 1000:
        raise DomainError(
            _("Make between 1 and 1000 aliquots at a time (got %(count)r).") % {"count": count}, field="count"
        )
    amount, unit = quantity_checked(quantity), unit_checked(unit)
    locked = _locked_parents([parent])[parent.pk]
    if dimension(unit) != dimension(locked.unit):
        raise DomainError(
            _("An aliquot of %(barcode)s is measured like its parent, in %(dimension)s (got %(unit)s).")
            % {"barcode": locked.barcode, "dimension": dimension(locked.unit), "unit": unit},
            field="unit",
            code="unit_mismatch",
        )
    each = converted_exactly(amount, from_unit=unit, to_unit=locked.unit, field="quantity")
    _deduct(actor=actor, parent=locked, used=each * count, field="quantity")
    codes = _barcodes(locked.biobank, barcodes, count, "barcodes")
    children = [
        _child(
            locked,
            barcode=code,
            lineage=LineageKind.ALIQUOT,
            parent=locked,
            initial_quantity=amount,
            quantity=amount,
            unit=unit,
            concentration=locked.concentration,
            concentration_unit=locked.concentration_unit,
            created_by=person_or_none(actor),
        )
        for code in codes
    ]
    _children_blocked(children)
    Specimen.objects.bulk_create(children)
    SpecimenSource.objects.bulk_create(
        [SpecimenSource(specimen=c, parent=locked, used_quantity=each) for c in children]
    )
    event_add(
        actor=actor,
        specimen=locked,
        type=EventType.ALIQUOTED,
        details={"count": count, "each": f"{amount} {unit}", "barcodes": codes},
    )
    events_add_many(actor=actor, specimens=children, type=EventType.PROCESSED, details={"from": locked.barcode})
    audit_record_many(
        actor=actor,
        action=SpecimenAuditAction.SPECIMEN_ALIQUOT,
        entries=[
            {
                "obj": child,
                "changes": {"barcode": [None, child.barcode], "quantity": [None, f"{amount} {unit}"]},
                "details": {"parent": locked.barcode, "used": f"{each} {locked.unit}"},
            }
            for child in children
        ],
    )
    facts_changed()
    return children


@transaction.atomic
def specimen_derive(
    *,
    actor: Actor,
    parent: Specimen,
    sample_type: str,
    used_quantity: Any,
    used_unit: str,
    quantity: Any,
    unit: str,
    barcode: str = "",
    kind: str = "",
    material_type: str = "",
    concentration: Any = None,
    concentration_unit: str = "",
    facts: Mapping[str, Any] | None = None,
    sprec_code: str = "",
) -> Specimen:
    """A derivative (DNA, RNA, plasma, serum …) made from ``used_quantity`` of ``parent``; its own quantity and
    unit may be of another dimension (µg of DNA from mL of blood)."""
    require_change_specimens(actor, parent.biobank)
    sample_type, kind, material_type = sample_type_checked(
        sample_type, kind=kind, material_type=material_type, default_kind=parent.sprec_kind
    )
    used, used_unit = quantity_checked(used_quantity, field="used_quantity"), unit_checked(used_unit, field="used_unit")
    amount, unit = quantity_checked(quantity), unit_checked(unit)
    locked = _locked_parents([parent])[parent.pk]
    used_in_parent = converted_exactly(used, from_unit=used_unit, to_unit=locked.unit, field="used_quantity")
    _deduct(actor=actor, parent=locked, used=used_in_parent, field="used_quantity")
    child = _child(
        locked,
        barcode=_barcodes(locked.biobank, [barcode], 1, "barcode")[0],
        lineage=LineageKind.DERIVATIVE,
        parent=locked,
        sample_type=sample_type,
        sprec_kind=kind,
        material_type=material_type,
        initial_quantity=amount,
        quantity=amount,
        unit=unit,
        concentration_unit=concentration_unit,
        created_by=person_or_none(actor),
        **_facts_checked(facts or {}),
    )
    if concentration not in (None, ""):
        child.concentration = quantity_checked(concentration, field="concentration", allow_zero=True)
    _apply_sprec(child, sprec_code)
    _children_blocked([child])
    _save_new(child)
    SpecimenSource.objects.create(specimen=child, parent=locked, used_quantity=used_in_parent)
    event_add(
        actor=actor,
        specimen=locked,
        type=EventType.DERIVED,
        details={"child": child.barcode, "sample_type": sample_type, "used": f"{used} {used_unit}"},
    )
    event_add(actor=actor, specimen=child, type=EventType.PROCESSED, details={"from": locked.barcode})
    audit_record(
        actor=actor,
        action=SpecimenAuditAction.SPECIMEN_DERIVE,
        obj=child,
        changes={"barcode": [None, child.barcode], "sample_type": [None, sample_type]},
        details={"parent": locked.barcode, "used": f"{used_in_parent} {locked.unit}", "quantity": f"{amount} {unit}"},
    )
    return child


@transaction.atomic
def specimen_pool(
    *,
    actor: Actor,
    parts: Sequence[tuple[Specimen, Any, str]],
    quantity: Any = None,
    unit: str = "",
    barcode: str = "",
) -> Specimen:
    """A pool of several parents ``(specimen, used quantity, unit)`` of one donor, collection and sample type.

    A pool mixing donors would answer to several consents at once; the portal keeps one donor per specimen so the
    consent gate and a withdrawal reach every tube (docs/specimens.md). The pool's quantity is the sum of what was
    taken unless given."""
    if len(parts) < 2:
        raise DomainError(_("A pool needs at least two parent specimens."), field="parts")
    first = parts[0][0]
    require_change_specimens(actor, first.biobank)
    locked = _locked_parents([part[0] for part in parts])
    if len(locked) != len(parts):
        raise DomainError(_("The same specimen was given twice for one pool."), field="parts")
    for parent in locked.values():
        same = (parent.donor_id, parent.collection_id, parent.sample_type, dimension(parent.unit))
        if same != (first.donor_id, first.collection_id, first.sample_type, dimension(first.unit)):
            raise DomainError(
                _(
                    "Specimen %(barcode)s cannot join this pool: pooled specimens share donor, collection, sample "
                    "type and kind of quantity with %(first)s."
                )
                % {"barcode": parent.barcode, "first": first.barcode},
                field="parts",
            )
    pool_unit = unit_checked(unit) if unit else first.unit
    taken: dict[int, Decimal] = {}
    total = Decimal(0)
    for index, (part, used_raw, used_unit_raw) in enumerate(parts):
        parent = locked[part.pk]
        used = quantity_checked(used_raw, field=f"parts[{index}].quantity")
        used_unit = unit_checked(used_unit_raw, field=f"parts[{index}].unit")
        taken[parent.pk] = converted_exactly(
            used, from_unit=used_unit, to_unit=parent.unit, field=f"parts[{index}].quantity"
        )
        total += converted_exactly(used, from_unit=used_unit, to_unit=pool_unit, field="unit")
        _deduct(actor=actor, parent=parent, used=taken[parent.pk], field=f"parts[{index}].quantity")
    amount = quantity_checked(quantity) if quantity not in (None, "") else total
    base = locked[first.pk]
    pool = _child(
        base,
        barcode=_barcodes(base.biobank, [barcode], 1, "barcode")[0],
        lineage=LineageKind.POOL,
        parent=None,
        initial_quantity=amount,
        quantity=amount,
        unit=pool_unit,
        created_by=person_or_none(actor),
    )
    _children_blocked([pool])
    _save_new(pool)
    SpecimenSource.objects.bulk_create(
        [SpecimenSource(specimen=pool, parent_id=pk, used_quantity=used) for pk, used in taken.items()]
    )
    events_add_many(
        actor=actor,
        specimens=list(locked.values()),
        type=EventType.POOLED,
        details={"pool": pool.barcode},
        details_of={pk: {"used": f"{used} {locked[pk].unit}"} for pk, used in taken.items()},
    )
    audit_record(
        actor=actor,
        action=SpecimenAuditAction.SPECIMEN_POOL,
        obj=pool,
        changes={"barcode": [None, pool.barcode], "quantity": [None, f"{amount} {pool_unit}"]},
        details={"parents": {locked[pk].barcode: f"{used} {locked[pk].unit}" for pk, used in taken.items()}},
    )
    return pool
