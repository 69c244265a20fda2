"""Storage units of the hierarchy: create one under its parent, change its name, code, temperature or grid."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from biobank.accounts.models import Biobank
from biobank.accounts.principals import Actor
from biobank.audit.services import audit_record
from biobank.errors import ConflictError, DomainError, validate_model

from ...choices import MAX_BOX_SIDE, STORAGE_PARENTS, SpecimenAuditAction, StorageKind
from ...models import Specimen, StorageUnit, row_label
from ...positions import box_size_text
from ..permissions import require_change_specimens

EDITABLE_FIELDS = ("name", "code", "temperature_c", "rows", "columns")


def kind_label(kind: str) -> str:
    return str(StorageKind(kind).label) if kind in StorageKind.values else repr(kind)


def _check_parent(*, biobank: Biobank, parent: StorageUnit | None, kind: str) -> None:
    if kind not in StorageKind.values:
        raise DomainError(
            _("%(kind)r is not a kind of storage unit; choose one of %(kinds)s.")
            % {"kind": kind, "kinds": ", ".join(StorageKind.values)},
            field="kind",
        )
    allowed = STORAGE_PARENTS[kind]
    if parent is None:
        if "" not in allowed:
            raise DomainError(
                _("A %(kind)s must sit inside a %(parents)s; choose its parent.")
                % {"kind": kind_label(kind), "parents": _(" or ").join(kind_label(k) for k in sorted(allowed))},
                field="parent",
            )
        return
    if parent.biobank_id != biobank.pk:
        raise DomainError(
            _("Storage unit %(parent)s belongs to another biobank; a unit's parent must be in %(biobank)s.")
            % {"parent": parent.code, "biobank": biobank.name},
            field="parent",
        )
    if parent.kind not in allowed:
        where = _(" or ").join(kind_label(k) for k in sorted(allowed) if k) or _("nothing (it is the top level)")
        raise DomainError(
            _("A %(kind)s cannot sit inside a %(parent_kind)s (%(parent)s); it may sit inside %(allowed)s.")
            % {
                "kind": kind_label(kind),
                "parent_kind": kind_label(parent.kind),
                "parent": parent.code,
                "allowed": where,
            },
            field="parent",
        )


def _check_grid(*, kind: str, rows: int | None, columns: int | None) -> None:
    if kind == StorageKind.BOX:
        for name, value in (("rows", rows), ("columns", columns)):
            if value is None or not 1 <= value <= MAX_BOX_SIDE:
                raise DomainError(
                    _("A box needs %(name)s between 1 and %(max)s; %(value)s was given.")
                    % {"name": name, "max": MAX_BOX_SIDE, "value": value},
                    field=name,
                )
    elif rows is not None or columns is not None:
        raise DomainError(
            _("Only a box has rows and columns; leave them empty for a %(kind)s.") % {"kind": kind_label(kind)},
            field="rows",
        )


def _duplicate_code(biobank: Biobank, code: str) -> ConflictError:
    return ConflictError(
        _("%(biobank)s already has a storage unit with the code %(code)r; choose another code.")
        % {"biobank": biobank.name, "code": code},
        field="code",
    )


@transaction.atomic
def storage_unit_create(
    *,
    actor: Actor,
    biobank: Biobank,
    parent: StorageUnit | None,
    kind: str,
    name: str,
    code: str,
    temperature_c: int | None = None,
    rows: int | None = None,
    columns: int | None = None,
) -> StorageUnit:
    """A new unit under ``parent`` (``None`` for a site); the kinds that may nest are ``STORAGE_PARENTS``."""
    require_change_specimens(actor, biobank)
    if parent is not None:  # its path must not change under us (units are never re-parented, but lock anyway)
        parent = StorageUnit.objects.select_for_update(no_key=True).get(pk=parent.pk)
    _check_parent(biobank=biobank, parent=parent, kind=kind)
    _check_grid(kind=kind, rows=rows, columns=columns)
    unit = StorageUnit(
        biobank=biobank,
        parent=parent,
        kind=kind,
        name=name,
        code=code,
        temperature_c=temperature_c,
        rows=rows,
        columns=columns,
        path="/",
    )
    validate_model(unit, exclude=["biobank", "parent", "path"])
    try:
        with transaction.atomic():
            unit.save()
    except IntegrityError:
        raise _duplicate_code(biobank, code) from None
    unit.path = f"{parent.path if parent else '/'}{unit.pk}/"
    StorageUnit.objects.filter(pk=unit.pk).update(path=unit.path)
    audit_record(
        actor=actor,
        action=SpecimenAuditAction.STORAGE_CREATE,
        obj=unit,
        changes={
            field: [None, getattr(unit, field)]
            for field in ("kind", "name", "code", "temperature_c", "rows", "columns", "parent_id")
            if getattr(unit, field) is not None
        },
    )
    return unit


@transaction.atomic
def storage_unit_update(*, actor: Actor, unit: StorageUnit, **changes: Any) -> StorageUnit:
    """Rename, re-code, set the temperature or resize a box; a box never shrinks below an occupied cell."""
    require_change_specimens(actor, unit.biobank)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError(
            _("Field(s) %(unknown)s cannot be changed; editable: %(allowed)s.")
            % {"unknown": ", ".join(sorted(unknown)), "allowed": ", ".join(EDITABLE_FIELDS)}
        )
    locked = StorageUnit.objects.select_for_update(no_key=True).select_related("biobank").get(pk=unit.pk)
    before = {field: getattr(locked, field) for field in changes}
    for field, value in changes.items():
        setattr(locked, field, value)
    _check_grid(kind=locked.kind, rows=locked.rows, columns=locked.columns)
    if locked.is_box and ("rows" in changes or "columns" in changes):
        extent = Specimen.objects.filter(box=locked).aggregate(row=Max("box_row"), column=Max("box_column"))
        if (extent["row"] or 0) > (locked.rows or 0) or (extent["column"] or 0) > (locked.columns or 0):
            raise ConflictError(
                _(
                    "Box %(box)s cannot shrink to %(size)s: it holds specimens up to row %(row)s and column "
                    "%(column)s. Move them first."
                )
                % {
                    "box": locked.code,
                    "size": box_size_text(locked),
                    "row": row_label(extent["row"] or 1),
                    "column": extent["column"],
                },
                field="rows",
            )
    validate_model(locked, exclude=["biobank", "parent", "path"])
    try:
        with transaction.atomic():
            locked.save(update_fields=[*changes.keys(), "updated_at"])
    except IntegrityError:
        raise _duplicate_code(locked.biobank, str(changes.get("code"))) from None
    diff = {field: [old, getattr(locked, field)] for field, old in before.items() if old != getattr(locked, field)}
    if diff:
        audit_record(actor=actor, action=SpecimenAuditAction.STORAGE_UPDATE, obj=locked, changes=diff)
    return locked
