"""The technician's specimen pages: the filtered list (keyset paging, CSV/XLSX export), a specimen's page (facts,
decoded SPREC code, position, timeline, lineage tree, actions) and the scan box that jumps to a barcode or a PID.

Every page asks ``biobank_for`` first: a foreign biobank is a 404, a missing permission a 403 page naming it; a
specimen outside ``specimens_visible_to`` is a 404.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from biobank.accounts.choices import Perm
from biobank.accounts.models import Biobank
from biobank.accounts.principals import AuthenticatedHttpRequest
from biobank.web.access import biobank_for
from biobank.web.export import export_format, export_links
from biobank.web.paging import before_position
from catalog.models import Collection

from .. import sprec
from ..choices import EventType, ShipmentDecision
from ..forms.actions import (
    AliquotForm,
    DeriveForm,
    OptionalReasonForm,
    QcForm,
    ReasonForm,
    ReserveForm,
    ShipForm,
    ThawForm,
)
from ..forms.choices import sample_type_name
from ..forms.lists import ScanForm, SpecimenFilterForm
from ..models import Specimen, SpecimenEvent
from ..selectors.lists import specimens_filtered, specimens_of_biobank
from ..selectors.specimens import is_pid, specimen_lineage, specimen_timeline
from .common import PAGE_SIZE, can_change, specimen_for
from .exports import export_response

# The actions a specimen page offers in each status (the services decide; this only hides what cannot work).
IN_HAND = ("available", "reserved")
ACTIONS: dict[str, tuple[Any, tuple[str, ...], Any]] = {
    "aliquot": (AliquotForm, IN_HAND, gettext_lazy("Make aliquots")),
    "derive": (DeriveForm, IN_HAND, gettext_lazy("Make a derivative")),
    "thaw": (ThawForm, (*IN_HAND, "consent_blocked"), gettext_lazy("Record a thaw")),
    "qc": (QcForm, (*IN_HAND, "consent_blocked"), gettext_lazy("Record a QC result")),
    "reserve": (ReserveForm, ("available",), gettext_lazy("Reserve")),
    "release": (ReasonForm, ("reserved",), gettext_lazy("Release the reservation")),
    "ship": (ShipForm, IN_HAND, gettext_lazy("Ship")),
    "return": (OptionalReasonForm, ("distributed",), gettext_lazy("Record the return")),
    "consume": (ReasonForm, IN_HAND, gettext_lazy("Mark as used up")),
    "dispose": (ReasonForm, (*IN_HAND, "consent_blocked"), gettext_lazy("Dispose")),
    "unblock": (ReasonForm, ("consent_blocked",), gettext_lazy("Lift the consent block")),
}


def _collections(biobank: Biobank) -> Any:
    return Collection.objects.filter(biobank=biobank).order_by("name")


def filtered_specimens(request: AuthenticatedHttpRequest, biobank: Biobank) -> tuple[SpecimenFilterForm, Any]:
    """The filter form from the query string and the specimens it selects (none while it is invalid)."""
    form = SpecimenFilterForm(request.GET or None, collections=_collections(biobank))
    specimens = specimens_of_biobank(user=request.user, biobank=biobank)
    if form.is_bound and not form.is_valid():
        return form, specimens.none()
    return form, specimens_filtered(specimens, form.filters())


@require_GET
@login_required
def specimen_list(request: AuthenticatedHttpRequest, code: str) -> HttpResponseBase:
    """Newest first, 50 a page, keyset-paginated (``?before=<id>``): no COUNT, the same queries on any page.
    ``?format=csv|xlsx`` is the export, as on every list page (``biobank.web.export``)."""
    if export_format(request) is not None:
        return specimen_export(request, code)
    biobank = biobank_for(request, code, Perm.VIEW_SPECIMENS)
    form, specimens = filtered_specimens(request, biobank)
    before = before_position(request)
    if before is not None:
        specimens = specimens.filter(pk__lt=before)
    page = list(specimens.order_by("-pk")[: PAGE_SIZE + 1])
    older = page[PAGE_SIZE - 1].pk if len(page) > PAGE_SIZE else None
    query = request.GET.copy()
    query.pop("before", None)
    query.pop("as", None)
    context = {
        "biobank": biobank,
        "form": form,
        "specimens": page[:PAGE_SIZE],
        "older": older,
        "query": query.urlencode(),
        "can_change": can_change(request, biobank),
        "scan": ScanForm(auto_id="scan_%s"),
        "export": export_links(request),  # ?format=csv|xlsx on this URL, as on every list page
    }
    return render(request, "specimens/specimen_list.html", context)


@require_GET
@login_required
def specimen_export(request: AuthenticatedHttpRequest, code: str) -> HttpResponse | StreamingHttpResponse:
    """The filtered list (every page) as CSV (``?as=csv``) or XLSX (``?as=xlsx``; ``?format=`` is read as well, the
    parameter of every other list's export); the export is audited."""
    biobank = biobank_for(request, code, Perm.VIEW_SPECIMENS)
    form, specimens = filtered_specimens(request, biobank)
    if form.is_bound and not form.is_valid():
        messages.error(request, _("Correct the filters before exporting the list."))
        return redirect(f"{reverse('specimens:specimen_list', args=[biobank.code])}?{request.GET.urlencode()}")
    chosen = "xlsx" if "xlsx" in (request.GET.get("as"), request.GET.get("format")) else "csv"
    filters = {k: v for k, v in request.GET.items() if k not in ("as", "before", "format")}
    return export_response(request, biobank, specimens, filters=filters, export_format=chosen)


def _sprec_rows(specimen: Specimen) -> tuple[list[Any], str]:
    """The SPREC code's elements (position, element, letter, meaning, status), or why it cannot be read."""
    if not specimen.sprec_code:
        return [], ""
    try:
        decoded = sprec.decode(specimen.sprec_code, specimen.sprec_kind or None)  # type: ignore[arg-type]
    except sprec.SprecError as error:
        return [], str(error)
    return list(decoded.elements), ""


# How the timeline names the details events carry (the keys the services write); others are shown as stored.
DETAIL_LABELS = {
    "count": gettext_lazy("count"),
    "each": gettext_lazy("each"),
    "barcodes": gettext_lazy("barcodes"),
    "from": gettext_lazy("from"),
    "to": gettext_lazy("to"),
    "child": gettext_lazy("derivative"),
    "pool": gettext_lazy("pool"),
    "sample_type": gettext_lazy("sample type"),
    "used": gettext_lazy("used"),
    "reason": gettext_lazy("reason"),
    "recipient": gettext_lazy("recipient"),
    "measure": gettext_lazy("measure"),
    "value": gettext_lazy("value"),
    "unit": gettext_lazy("unit"),
    "passed": gettext_lazy("passed"),
    "previous": gettext_lazy("before"),
    "freeze_thaw_count": gettext_lazy("freeze-thaw cycles"),
    "level": gettext_lazy("withdrawal"),
    "effective": gettext_lazy("effective"),
    "decision": gettext_lazy("decision"),
}


def _event_rows(events: list[SpecimenEvent]) -> list[dict[str, Any]]:
    """Each event with its details as readable pairs, and the consent gate's answer apart (reserve, ship)."""
    rows = []
    for event in events:
        details = dict(event.details or {})
        gate = details.pop("gate", None)
        if details.get("decision") in ShipmentDecision.values:  # a decision after a withdrawal, in words
            details["decision"] = ShipmentDecision(details["decision"]).label
        pairs = [
            (DETAIL_LABELS.get(key, key), ", ".join(map(str, value)) if isinstance(value, list) else value)
            for key, value in details.items()
            if value not in (None, "", [])
        ]
        rows.append({"event": event, "pairs": pairs, "gate": gate})
    return rows


def box_map_url(specimen: Specimen) -> str:
    """The box map of the specimen's box (``specimens:storage_unit``, the storage pages); no link if it cannot be
    reversed."""
    if specimen.box_id is None:
        return ""
    try:
        return reverse("specimens:storage_unit", kwargs={"code": specimen.biobank.code, "unit_id": specimen.box_id})
    except NoReverseMatch:
        return ""


def detail_context(request: AuthenticatedHttpRequest, biobank: Biobank, specimen: Specimen) -> dict[str, Any]:
    elements, sprec_problem = _sprec_rows(specimen)
    lineage = specimen_lineage(specimen)
    actions = []
    if can_change(request, biobank):
        for name, (form_class, statuses, title) in ACTIONS.items():
            if specimen.status in statuses:
                actions.append({"name": name, "title": title, "form": form_class(auto_id=f"{name}_%s")})
    family = [specimen.barcode, *(child.barcode for child in lineage.children)]
    return {
        "biobank": biobank,
        "specimen": specimen,
        "sample_type_name": sample_type_name(specimen.sample_type),
        "sprec_elements": elements,
        "sprec_flagged": any(element.status for element in elements),
        "sprec_problem": sprec_problem,
        "lineage": lineage,
        "events": _event_rows(list(specimen_timeline(specimen))),
        "gate_events": (EventType.RESERVED, EventType.SHIPPED),
        "box_map_url": box_map_url(specimen),
        "actions": actions,
        "can_change": can_change(request, biobank),
        "label_barcodes": family,
        "scan": ScanForm(auto_id="scan_%s"),
    }


@require_GET
@login_required
def specimen_detail(request: AuthenticatedHttpRequest, code: str, barcode: str) -> HttpResponse:
    biobank = biobank_for(request, code, Perm.VIEW_SPECIMENS)
    specimen = specimen_for(request, biobank, barcode)
    return render(request, "specimens/specimen_detail.html", detail_context(request, biobank, specimen))


@require_GET
@login_required
def scan(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """A scanned code: a barcode opens its specimen, a PID the list of the donor's specimens; otherwise the list
    filtered by the beginning of the barcode, which says when nothing matches."""
    biobank = biobank_for(request, code, Perm.VIEW_SPECIMENS)
    form = ScanForm(request.GET)
    list_url = reverse("specimens:specimen_list", args=[biobank.code])
    if not form.is_valid():
        return redirect(list_url)
    text = form.cleaned_data["code"].strip()
    found = specimens_of_biobank(user=request.user, biobank=biobank).filter(barcode=text).values("barcode").first()
    if found is not None:
        return redirect("specimens:specimen_detail", code=biobank.code, barcode=found["barcode"])
    if is_pid(text):
        return redirect(f"{list_url}?{urlencode({'pid': text})}")
    messages.info(
        request, _("No specimen has the barcode %(code)s; specimens whose barcode begins so:") % {"code": text}
    )
    return redirect(f"{list_url}?{urlencode({'barcode': text})}")
