"""The technician's worklists (received today, to process, to store, to dispose), driven by a scanner: on
"received today" a scanned barcode records the specimen's reception; on the others it opens the specimen's page,
where the next step is taken."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from biobank.accounts.choices import Perm
from biobank.accounts.models import Biobank
from biobank.accounts.principals import AuthenticatedHttpRequest
from biobank.errors import DomainError, ForbiddenError
from biobank.web.access import biobank_for
from biobank.web.export import export_format, export_links
from biobank.web.paging import before_position

from ..forms.lists import ScanForm
from ..selectors.lists import specimens_of_biobank
from ..selectors.specimens import WORKLISTS, shipments_awaiting_decision
from ..selectors.specimens import worklist as worklist_of
from ..services.reception import specimen_receive
from .common import PAGE_SIZE, can_change
from .exports import export_response

TITLES = {
    "received_today": gettext_lazy("Received today"),
    "to_process": gettext_lazy("To process"),
    "to_store": gettext_lazy("To store"),
    "to_dispose": gettext_lazy("To dispose"),
}
HINTS = {
    "received_today": gettext_lazy("Scan a tube as it arrives: its reception is recorded now."),
    "to_process": gettext_lazy("Primary specimens without aliquots or derivatives. Scan one to open it."),
    "to_store": gettext_lazy("Specimens in the biobank without a position. Scan one to open it."),
    "to_dispose": gettext_lazy(
        "Specimens still here of donors who withdrew with “no further use”: destroy them and record the "
        "disposal. Scan one to open it."
    ),
}


@require_GET
@login_required
def worklist_index(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """The four lists with how many specimens each holds (one count each)."""
    biobank = biobank_for(request, code, Perm.VIEW_SPECIMENS)
    specimens = specimens_of_biobank(user=request.user, biobank=biobank)
    lists = [
        {"name": name, "title": TITLES[name], "hint": HINTS[name], "count": worklist_of(specimens, name).count()}
        for name in WORKLISTS
    ]
    context = {
        "biobank": biobank,
        "lists": lists,
        "scan": ScanForm(auto_id="scan_%s"),
        "shipments": shipments_awaiting_decision(specimens).count(),
    }
    return render(request, "specimens/worklist_index.html", context)


def _scanned(request: AuthenticatedHttpRequest, biobank: Biobank, name: str, form: ScanForm) -> HttpResponse | None:
    """Act on a scanned barcode; ``None`` when the page should show the form's error."""
    text = form.cleaned_data["code"].strip()
    specimen = specimens_of_biobank(user=request.user, biobank=biobank).filter(barcode=text).first()
    if specimen is None:
        form.add_error("code", _("No specimen of this biobank has the barcode %(code)s.") % {"code": text})
        return None
    if name != "received_today":
        return redirect("specimens:specimen_detail", code=specimen.biobank.code, barcode=specimen.barcode)
    try:
        specimen_receive(actor=request.user, specimen=specimen)
    except ForbiddenError:
        raise
    except DomainError as error:
        form.add_error("code", error.message)
        return None
    messages.success(request, _("Reception of %(barcode)s recorded.") % {"barcode": specimen.barcode})
    return redirect("specimens:worklist", code=specimen.biobank.code, worklist=name)


@login_required
@require_http_methods(["GET", "POST"])
def worklist_detail(request: AuthenticatedHttpRequest, code: str, worklist: str) -> HttpResponseBase:
    biobank = biobank_for(request, code, Perm.VIEW_SPECIMENS)
    name = worklist
    if name not in WORKLISTS:
        raise Http404(_("There is no such worklist."))
    form = ScanForm(request.POST if request.method == "POST" else None, auto_id="scan_%s")
    status = 200
    if request.method == "POST":
        if form.is_valid():
            done = _scanned(request, biobank, name, form)
            if done is not None:
                return done
        status = 400
    specimens = worklist_of(specimens_of_biobank(user=request.user, biobank=biobank), name)
    fmt = export_format(request) if request.method == "GET" else None
    if fmt is not None:  # the whole worklist with the specimen export's columns, audited like it
        return export_response(request, biobank, specimens, filters={"worklist": name}, export_format=fmt)
    before = before_position(request)
    if before is not None:
        specimens = specimens.filter(pk__lt=before)
    page = list(specimens.order_by("-pk")[: PAGE_SIZE + 1])
    context = {
        "biobank": biobank,
        "name": name,
        "title": TITLES[name],
        "hint": HINTS[name],
        "specimens": page[:PAGE_SIZE],
        "older": page[PAGE_SIZE - 1].pk if len(page) > PAGE_SIZE else None,
        "scan_form": form,
        "can_change": can_change(request, biobank),
        "lists": [(other, TITLES[other]) for other in WORKLISTS],
        "export": export_links(request),
    }
    return render(request, "specimens/worklist.html", context, status=status)
