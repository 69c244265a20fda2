"""Storage pages: the tree of a biobank's units with their utilisation, a unit, a box map with "place here" in each
empty cell (HTMX swaps the cell), bulk placement by scanning, and free cells.

Every page asks ``biobank_for`` first: a foreign biobank is a 404, a missing permission a 403 page naming it; a
unit of another biobank is a 404 (``storage_units_visible_to``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from biobank.accounts.choices import Perm
from biobank.accounts.models import Biobank
from biobank.accounts.principals import AuthenticatedHttpRequest
from biobank.errors import DomainError, ForbiddenError
from biobank.web.access import biobank_access, biobank_for
from biobank.web.export import Column, export_format, export_links, export_response
from biobank.web.forms import add_domain_error

from ..choices import STORAGE_PARENTS, StorageKind
from ..forms.storage import BulkPlaceForm, FreePositionsForm, PlaceForm, StorageUnitEditForm, StorageUnitForm
from ..models import Specimen, StorageUnit, position_label
from ..positions import position_parse
from ..selectors import BoxCell, box_map, free_positions, specimen_for_storage, storage_units_visible_to, utilisation
from ..services import storage as services

ALL_KINDS = tuple(StorageKind.values)
BARCODE_SLOT = "__barcode__"


@dataclass(frozen=True)
class UnitRow:
    """A unit of the tree with its depth and fill (``specimen_count``/``cell_count`` from ``utilisation``)."""

    unit: StorageUnit
    depth: int

    @property
    def percent(self) -> int:
        cells = getattr(self.unit, "cell_count", 0)
        return round(100 * getattr(self.unit, "specimen_count", 0) / cells) if cells else 0


def _can_change(request: AuthenticatedHttpRequest, biobank: Biobank) -> bool:
    """From the request-cached roles (no query beyond the navigation's)."""
    perms = next((a.perms for a in biobank_access(request) if a.biobank.pk == biobank.pk), set())
    return Perm.CHANGE_SPECIMENS in perms


def _unit(request: AuthenticatedHttpRequest, biobank: Biobank, unit_id: int) -> StorageUnit:
    try:
        return storage_units_visible_to(user=request.user).filter(biobank=biobank).get(pk=unit_id)
    except StorageUnit.DoesNotExist:
        raise Http404(_("No storage unit with this number in this biobank.")) from None


def _box(request: AuthenticatedHttpRequest, biobank: Biobank, unit_id: int) -> StorageUnit:
    unit = _unit(request, biobank, unit_id)
    if not unit.is_box:
        raise Http404(_("This storage unit is not a box."))
    return unit


def _depth(unit: StorageUnit) -> int:
    return min(unit.path.count("/") - 2, 6)


def specimen_link_parts(code: str) -> tuple[str, str] | None:
    """The specimen page's URL around the barcode (prefix, suffix), reversed once per page, not once per cell.

    ``None`` while the specimen pages (``specimens:specimen_detail``) do not exist: the map then shows barcodes
    without links.
    """
    try:
        url = reverse("specimens:specimen_detail", kwargs={"code": code, "barcode": BARCODE_SLOT})
    except NoReverseMatch:
        return None
    prefix, _slot, suffix = url.partition(BARCODE_SLOT)
    return prefix, suffix


def _cell_link_parts(box: StorageUnit) -> tuple[str, str]:
    """The "place here" URL around the position label, reversed once per page."""
    url = reverse("specimens:box_cell", args=[box.biobank.code, box.pk, BARCODE_SLOT])
    prefix, _slot, suffix = url.partition(BARCODE_SLOT)
    return prefix, suffix


def _map_context(biobank: Biobank, box: StorageUnit, can_change: bool) -> dict[str, Any]:
    return {
        "biobank": biobank,
        "box": box,
        "can_change": can_change,
        "specimen_link": specimen_link_parts(biobank.code),
        "cell_link": _cell_link_parts(box),
    }


def _cell_context(biobank: Biobank, box: StorageUnit, cell: BoxCell, can_change: bool) -> dict[str, Any]:
    return {**_map_context(biobank, box, can_change), "cell": cell}


# The storage tree's columns, as the page shows them ("Filled" as the two numbers the page's bar is drawn from).
STORAGE_COLUMNS = (
    Column(gettext_lazy("Unit"), "name"),
    Column(gettext_lazy("Code"), "code"),
    Column(gettext_lazy("Kind"), "get_kind_display"),
    Column(gettext_lazy("Rows"), "rows"),
    Column(gettext_lazy("Columns"), "columns"),
    Column(gettext_lazy("Temperature (°C)"), "temperature_c"),
    Column(gettext_lazy("Specimens stored"), "specimen_count"),
    Column(gettext_lazy("Cells"), "cell_count"),
)


@require_GET
@login_required
def storage_tree(request: AuthenticatedHttpRequest, code: str) -> HttpResponseBase:
    """Every unit of the biobank, in hierarchy order, with how full it is (one query for the whole tree);
    ``?format=csv|xlsx`` is the same tree as a file."""
    biobank = biobank_for(request, code, Perm.VIEW_SPECIMENS)
    units = utilisation(biobank, kinds=ALL_KINDS)
    fmt = export_format(request)
    if fmt is not None:
        return export_response(items=units, columns=STORAGE_COLUMNS, name=f"storage-{biobank.code}", export_format=fmt)
    rows = [UnitRow(unit, _depth(unit)) for unit in units]
    context = {
        "biobank": biobank,
        "rows": rows,
        "can_change": _can_change(request, biobank),
        "export": export_links(request),
    }
    return render(request, "specimens/storage/tree.html", context)


@require_GET
@login_required
def storage_unit_detail(request: AuthenticatedHttpRequest, code: str, unit_id: int) -> HttpResponse:
    """A unit with its place in the hierarchy and what is inside; a box as its map."""
    biobank = biobank_for(request, code, Perm.VIEW_SPECIMENS)
    unit = _unit(request, biobank, unit_id)
    around = {u.pk: u for u in utilisation(unit, kinds=ALL_KINDS)}
    ancestor_ids = [int(pk) for pk in unit.path.strip("/").split("/")[:-1]]
    can_change = _can_change(request, biobank)
    context: dict[str, Any] = {
        "biobank": biobank,
        "unit": unit,
        "ancestors": [around[pk] for pk in ancestor_ids if pk in around],
        "fill": UnitRow(around.get(unit.pk, unit), 0),
        "children": [UnitRow(u, 0) for u in around.values() if u.parent_id == unit.pk],
        "can_change": can_change,
        "child_kinds": [str(StorageKind(k).label) for k, parents in STORAGE_PARENTS.items() if unit.kind in parents],
    }
    if unit.is_box:
        context |= {"map": box_map(unit), **_map_context(biobank, unit, can_change)}
    return render(request, "specimens/storage/unit.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def storage_unit_create(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """A new unit; ``?parent=<id>`` puts it inside that unit (the kinds offered are those allowed there)."""
    biobank = biobank_for(request, code, Perm.CHANGE_SPECIMENS)
    parent_id = request.POST.get("parent") or request.GET.get("parent")
    parent = _unit(request, biobank, int(parent_id)) if parent_id and parent_id.isdigit() else None
    kinds = [k for k, parents in STORAGE_PARENTS.items() if (parent.kind if parent else "") in parents]
    if not kinds:
        raise Http404(_("Nothing can be stored inside a box but specimens."))
    form = StorageUnitForm(request.POST if request.method == "POST" else None, kinds=kinds)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.storage_unit_create(actor=request.user, biobank=biobank, parent=parent, **form.cleaned_data)
        except ForbiddenError:
            raise  # the browser's 403 page, not a form error
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("%(unit)s was created.") % {"unit": unit})
            return redirect("specimens:storage_unit", code=biobank.code, unit_id=unit.pk)
    context = {"biobank": biobank, "parent": parent, "form": form}
    return render(request, "specimens/storage/unit_form.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def storage_unit_edit(request: AuthenticatedHttpRequest, code: str, unit_id: int) -> HttpResponse:
    biobank = biobank_for(request, code, Perm.CHANGE_SPECIMENS)
    unit = _unit(request, biobank, unit_id)
    initial = {f: getattr(unit, f) for f in services.EDITABLE_FIELDS}
    form = StorageUnitEditForm(request.POST if request.method == "POST" else None, initial=initial)
    if not unit.is_box:
        del form.fields["rows"], form.fields["columns"]
    if request.method == "POST" and form.is_valid():
        changes = {f: v for f, v in form.cleaned_data.items() if v != initial[f]}
        try:
            services.storage_unit_update(actor=request.user, unit=unit, **changes)
        except ForbiddenError:
            raise
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The changes to %(unit)s were saved.") % {"unit": unit.code})
            return redirect("specimens:storage_unit", code=biobank.code, unit_id=unit.pk)
    return render(request, "specimens/storage/unit_edit.html", {"biobank": biobank, "unit": unit, "form": form})


def _hx_placed(response: HttpResponse, text: str) -> HttpResponse:
    """The page's live region says what happened; ``storage:placed`` makes the box's fill figures reload."""
    response["HX-Trigger"] = json.dumps({"portal:message": {"level": "success", "text": text}, "storage:placed": True})
    return response


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def box_cell(request: AuthenticatedHttpRequest, code: str, unit_id: int, position: str) -> HttpResponse:
    """ "Place here": scan a barcode into one empty cell. With HTMX the answer is the cell itself (``<td>``)."""
    biobank = biobank_for(request, code, Perm.CHANGE_SPECIMENS)
    box = _box(request, biobank, unit_id)
    try:
        row, column = position_parse(position, box)
    except DomainError:
        raise Http404(_("This box has no such position.")) from None
    inline = bool(getattr(request, "htmx", False))
    occupant = Specimen.objects.filter(box=box, box_row=row, box_column=column).first()
    if occupant is not None or request.GET.get("cancel"):
        cell = _cell_of(row, column, occupant)
        if inline:
            return render(request, "specimens/storage/_cell.html", _cell_context(biobank, box, cell, True))
        return redirect("specimens:storage_unit", code=biobank.code, unit_id=box.pk)
    form = PlaceForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        barcode = form.cleaned_data["barcode"].strip()
        origin = ""
        try:
            specimen = specimen_for_storage(user=request.user, barcode=barcode, biobank=biobank)
            service = services.specimen_place
            if specimen.box is not None:  # a tube scanned out of another cell: the technician is moving it
                service = services.specimen_move
                origin = services.location_label(specimen.box, specimen.box_row or 0, specimen.box_column or 0)
            specimen = service(actor=request.user, specimen=specimen, box=box, row=row, column=column)
        except Specimen.DoesNotExist:
            form.add_error(
                "barcode",
                _("No specimen with the barcode %(barcode)s in %(biobank)s.")
                % {"barcode": barcode, "biobank": biobank.name},
            )
        except ForbiddenError:
            raise
        except DomainError as error:
            add_domain_error(form, error, {"position": "barcode", "box": "barcode"})
        else:
            to = services.location_label(box, row, column)
            if origin:
                text = _("%(barcode)s was moved from %(origin)s to %(position)s.") % {
                    "barcode": specimen.barcode,
                    "origin": origin,
                    "position": to,
                }
            else:
                text = _("%(barcode)s was placed at %(position)s.") % {"barcode": specimen.barcode, "position": to}
            if inline and origin.startswith(f"{box.code} "):  # its old cell is on this page too: reload the map
                messages.success(request, text)
                response = HttpResponse(status=204)
                response["HX-Refresh"] = "true"
                return response
            if inline:
                context = _cell_context(biobank, box, _cell_of(row, column, specimen), True)
                return _hx_placed(render(request, "specimens/storage/_cell.html", context), text)
            messages.success(request, text)
            return redirect("specimens:storage_unit", code=biobank.code, unit_id=box.pk)
    context = {**_cell_context(biobank, box, BoxCell(row, column), True), "form": form}
    template = "specimens/storage/_cell_form.html" if inline else "specimens/storage/place.html"
    return render(request, template, context)


def _cell_of(row: int, column: int, specimen: Specimen | None) -> BoxCell:
    if specimen is None:
        return BoxCell(row, column)
    return BoxCell(row, column, specimen.pk, specimen.barcode, specimen.status, specimen.sample_type)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def box_bulk(request: AuthenticatedHttpRequest, code: str, unit_id: int) -> HttpResponse:
    """Scan many tubes into one box: all are placed, or none (the page lists every problem)."""
    biobank = biobank_for(request, code, Perm.CHANGE_SPECIMENS)
    box = _box(request, biobank, unit_id)
    form = BulkPlaceForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            done = services.specimens_place_bulk(actor=request.user, box=box, placements=form.cleaned_data["lines"])
        except ForbiddenError:
            raise
        except DomainError as error:
            add_domain_error(form, error, {"placements": "lines", "box": "lines", "position": "lines"})
        else:
            messages.success(
                request,
                _("%(count)s specimens were placed in %(box)s: %(list)s.")
                % {
                    "count": len(done),
                    "box": box.code,
                    "list": ", ".join(f"{p.specimen.barcode} → {p.position}" for p in done[:20])
                    + (" …" if len(done) > 20 else ""),
                },
            )
            return redirect("specimens:storage_unit", code=biobank.code, unit_id=box.pk)
    return render(request, "specimens/storage/bulk.html", {"biobank": biobank, "box": box, "form": form})


@require_GET
@login_required
def box_free(request: AuthenticatedHttpRequest, code: str, unit_id: int) -> HttpResponse:
    """The next free cells of a box, row by row (``?n=``)."""
    biobank = biobank_for(request, code, Perm.VIEW_SPECIMENS)
    box = _box(request, biobank, unit_id)
    form = FreePositionsForm(request.GET if "n" in request.GET else None)
    n = form.cleaned_data["n"] if form.is_bound and form.is_valid() else 10
    labels = [position_label(r, c) for r, c in free_positions(box, n)]
    context = {"biobank": biobank, "box": box, "form": form, "labels": labels, "n": n}
    template = "specimens/storage/_free.html" if getattr(request, "htmx", False) else "specimens/storage/free.html"
    return render(request, template, context)
