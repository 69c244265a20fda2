"""Processing steps that change one specimen: freeze-thaw, QC results, reception and processing events, and
corrections of the recorded facts (the SPREC code follows the facts)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from biobank.accounts.principals import Actor
from biobank.audit.services import audit_record
from biobank.errors import DomainError, validate_model

from ..catalog_facts import facts_changed
from ..choices import IN_STOCK, QC_RANGES, QC_UNITS, EventType, QcMeasure, SpecimenAuditAction
from ..models import Specimen, SpecimenEvent
from .diagnoses import diagnosis_checked
from .events import event_add
from .permissions import require_change_specimens
from .quantities import quantity_checked
from .register import FACT_FIELDS, _apply_sprec, _facts_checked

# Events a person records by hand; the others follow from a service (aliquoted, moved, reserved, shipped …).
MANUAL_EVENTS = (EventType.COLLECTED, EventType.RECEIVED, EventType.PROCESSED)


def _locked(specimen: Specimen) -> Specimen:
    return Specimen.objects.select_for_update().select_related("biobank").get(pk=specimen.pk)


def _when(occurred_at: datetime | None) -> datetime:
    when = occurred_at or timezone.now()
    if when > timezone.now() + timedelta(minutes=5):
        raise DomainError(_("An event cannot happen in the future (%(when)s).") % {"when": when}, field="occurred_at")
    return when


@transaction.atomic
def specimen_thaw(*, actor: Actor, specimen: Specimen, occurred_at: datetime | None = None, note: str = "") -> Specimen:
    """A freeze-thaw cycle: counted on the specimen and recorded as an event."""
    require_change_specimens(actor, specimen.biobank)
    specimen = _locked(specimen)
    if specimen.status not in IN_STOCK:
        raise DomainError(
            _("Specimen %(barcode)s is %(status)s; only specimens in the biobank can be thawed.")
            % {"barcode": specimen.barcode, "status": specimen.get_status_display()},
            code="status",
        )
    Specimen.objects.filter(pk=specimen.pk).update(
        freeze_thaw_count=F("freeze_thaw_count") + 1, updated_at=timezone.now()
    )
    specimen.refresh_from_db()
    event_add(
        actor=actor,
        specimen=specimen,
        type=EventType.THAWED,
        occurred_at=_when(occurred_at),
        details={"freeze_thaw_count": specimen.freeze_thaw_count},
        note=note,
    )
    audit_record(
        actor=actor,
        action=SpecimenAuditAction.SPECIMEN_EVENT,
        obj=specimen,
        changes={"freeze_thaw_count": [specimen.freeze_thaw_count - 1, specimen.freeze_thaw_count]},
        details={"event": EventType.THAWED},
    )
    return specimen


@transaction.atomic
def specimen_qc_record(
    *,
    actor: Actor,
    specimen: Specimen,
    measure: str,
    value: Any,
    unit: str = "",
    passed: bool | None = None,
    occurred_at: datetime | None = None,
    note: str = "",
) -> SpecimenEvent:
    """A QC result (RIN, DIN, volume check, concentration, purity) with its value and unit; a concentration
    result also becomes the specimen's concentration."""
    require_change_specimens(actor, specimen.biobank)
    if measure not in QC_UNITS:
        raise DomainError(
            _("QC measure %(measure)r is not known; use one of %(allowed)s.")
            % {"measure": measure, "allowed": ", ".join(QcMeasure.values)},
            field="measure",
        )
    if unit not in QC_UNITS[measure]:
        raise DomainError(
            _("%(measure)s is recorded in %(allowed)s (got %(unit)r).")
            % {
                "measure": QcMeasure(measure).label,
                "allowed": ", ".join(u or "no unit" for u in QC_UNITS[measure]),
                "unit": unit,
            },
            field="unit",
        )
    number = quantity_checked(value, field="value", allow_zero=True)
    low, high = QC_RANGES[measure]
    if not low <= number <= high:
        raise DomainError(
            _("%(measure)s must lie between %(low)s and %(high)s (got %(value)s).")
            % {"measure": QcMeasure(measure).label, "low": low, "high": high, "value": number},
            field="value",
        )
    specimen = _locked(specimen)
    details: dict[str, Any] = {"measure": measure, "value": str(number), "unit": unit, "passed": passed}
    if measure == QcMeasure.CONCENTRATION:
        before = [
            str(specimen.concentration) if specimen.concentration is not None else None,
            specimen.concentration_unit,
        ]
        specimen.concentration, specimen.concentration_unit = Decimal(number), unit
        specimen.save(update_fields=["concentration", "concentration_unit", "updated_at"])
        details["previous"] = before
    event = event_add(
        actor=actor,
        specimen=specimen,
        type=EventType.QC_RESULT,
        occurred_at=_when(occurred_at),
        details=details,
        note=note,
    )
    audit_record(
        actor=actor, action=SpecimenAuditAction.SPECIMEN_EVENT, obj=specimen, details={"event": "qc_result", **details}
    )
    return event


@transaction.atomic
def specimen_event_record(
    *, actor: Actor, specimen: Specimen, type: str, occurred_at: datetime | None = None, note: str = ""
) -> SpecimenEvent:
    """A collected, received or processed step recorded by hand (reception at the lab, a processing run)."""
    require_change_specimens(actor, specimen.biobank)
    if type not in MANUAL_EVENTS:
        raise DomainError(
            _("Event %(type)r is recorded by its own action; record one of %(allowed)s here.")
            % {"type": type, "allowed": ", ".join(MANUAL_EVENTS)},
            field="type",
        )
    specimen = _locked(specimen)
    event = event_add(actor=actor, specimen=specimen, type=type, occurred_at=_when(occurred_at), note=note)
    audit_record(
        actor=actor,
        action=SpecimenAuditAction.SPECIMEN_EVENT,
        obj=specimen,
        details={"event": type, "note": note[:200]},
    )
    return event


EDITABLE_FIELDS = (*FACT_FIELDS, "notes", "concentration", "concentration_unit", "diagnosis")


@transaction.atomic
def specimen_update(*, actor: Actor, specimen: Specimen, sprec_code: str | None = None, **changes: Any) -> Specimen:
    """Correct recorded facts or notes; the SPREC code is derived again (or the given one checked) and a changed
    code is an event on the timeline."""
    require_change_specimens(actor, specimen.biobank)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError(
            _("Field(s) %(unknown)s cannot be changed here; editable: %(allowed)s.")
            % {"unknown": ", ".join(sorted(unknown)), "allowed": ", ".join(EDITABLE_FIELDS)},
            field=sorted(unknown)[0],
        )
    specimen = _locked(specimen)
    facts = _facts_checked({k: v for k, v in changes.items() if k in FACT_FIELDS})
    before = {name: getattr(specimen, name) for name in (*changes, "sprec_code")}
    if "diagnosis" in changes:
        changes["diagnosis"] = diagnosis_checked(changes["diagnosis"])
    for name, value in changes.items():
        setattr(specimen, name, facts.get(name, value) if name in FACT_FIELDS else value)
    if specimen.concentration is not None:
        specimen.concentration = quantity_checked(specimen.concentration, field="concentration", allow_zero=True)
    old_code = specimen.sprec_code
    _apply_sprec(
        specimen, sprec_code if sprec_code is not None else (specimen.sprec_code if specimen.sprec_entered else "")
    )
    validate_model(specimen, exclude=["biobank", "collection", "donor", "parent", "box", "created_by"])
    specimen.save()
    diff = {
        name: [
            str(old) if old is not None else None,
            str(getattr(specimen, name)) if getattr(specimen, name) is not None else None,
        ]
        for name, old in before.items()
        if old != getattr(specimen, name)
    }
    if specimen.sprec_code != old_code:
        event_add(
            actor=actor,
            specimen=specimen,
            type=EventType.SPREC_CHANGED,
            details={"from": old_code, "to": specimen.sprec_code},
        )
    if diff:
        audit_record(actor=actor, action=SpecimenAuditAction.SPECIMEN_UPDATE, obj=specimen, changes=diff)
        facts_changed()
    return specimen
