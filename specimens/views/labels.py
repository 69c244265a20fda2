"""Printing labels: barcodes come from the list or a specimen page (ticked or the specimen and its aliquots), or
are scanned one a line; the person chooses layout and symbol and gets a PDF or a ZPL file. Each print is audited
(``specimen_labels_print``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from biobank.accounts.choices import Perm
from biobank.accounts.models import Biobank
from biobank.accounts.principals import AuthenticatedHttpRequest
from biobank.errors import DomainError, ForbiddenError
from biobank.web.access import biobank_for
from biobank.web.forms import add_domain_error

from ..forms.lists import LabelsForm
from ..selectors.lists import specimens_of_biobank
from ..services.labels import specimen_labels_print

# Where the renderer's errors belong on the form.
FIELD_MAP = {"barcode": "barcodes", "labels": "barcodes"}


def _print(request: AuthenticatedHttpRequest, biobank: Biobank, form: LabelsForm) -> HttpResponse | None:
    barcodes = form.barcode_list()
    if not barcodes:
        form.add_error("barcodes", _("Scan or type at least one barcode."))
        return None
    found = {
        specimen.barcode: specimen
        for specimen in specimens_of_biobank(user=request.user, biobank=biobank).filter(barcode__in=barcodes)
    }
    missing = [barcode for barcode in barcodes if barcode not in found]
    if missing:
        form.add_error(
            "barcodes",
            _("No specimen of this biobank has the barcode(s) %(barcodes)s.") % {"barcodes": ", ".join(missing)},
        )
        return None
    data = form.cleaned_data
    try:
        printed = specimen_labels_print(
            actor=request.user,
            biobank=biobank,
            specimens=[found[barcode] for barcode in barcodes],
            layout=data["layout"],
            symbology=data["symbology"],
            output=data["output"],
            start_position=data["start_position"] - 1,
            dpi=data["dpi"],
        )
    except ForbiddenError:
        raise
    except DomainError as error:
        add_domain_error(form, error, FIELD_MAP)
        return None
    response = HttpResponse(printed.content, content_type=printed.content_type)
    name = f"labels-{biobank.code}-{len(barcodes)}.{printed.extension}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def labels(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """GET: the form (``?barcode=`` prefills it). POST from another page (no ``step``): the form with those
    barcodes. POST of the form itself (``step=print``): the file, or the form with what is wrong."""
    biobank = biobank_for(request, code, Perm.CHANGE_SPECIMENS)
    source = request.POST if request.method == "POST" else request.GET
    if request.method == "POST" and source.get("step") == "print":
        form = LabelsForm(request.POST)
        if form.is_valid():
            response = _print(request, biobank, form)
            if response is not None:
                return response
        return render(request, "specimens/labels.html", {"biobank": biobank, "form": form}, status=400)
    form = LabelsForm(initial={"barcodes": "\n".join(source.getlist("barcode"))})
    return render(request, "specimens/labels.html", {"biobank": biobank, "form": form})
