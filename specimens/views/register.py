"""Registering a primary specimen and its aliquots in one form; the specimen page follows, aliquots listed."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from biobank.accounts.choices import Perm
from biobank.accounts.principals import AuthenticatedHttpRequest
from biobank.errors import DomainError, ForbiddenError
from biobank.web.access import biobank_for
from biobank.web.forms import add_domain_error
from catalog.models import Collection

from .. import sprec
from ..forms.register import SpecimenRegisterForm
from ..models import Specimen
from ..selectors.lists import donor_for_pid
from ..services import specimen_register
from ..services.sprec_codes import sample_type_checked

# Service fields that are named differently in the form.
FIELD_MAP = {"count": "aliquot_count", "barcodes": "aliquot_barcodes", "parent": "donor"}


def _show_sprec_problems(form: SpecimenRegisterForm) -> bool:
    """Derive the code as the service does, to put each fact out of range next to its own field."""
    data = form.cleaned_data
    try:
        _code, kind, _material = sample_type_checked(
            data["sample_type"], kind=data.get("kind") or "", material_type=data.get("material_type") or ""
        )
        sprec.derive(kind, {**Specimen(**form.facts()).facts(), "sample_type": data["sample_type"]})
    except sprec.SprecError as error:
        form.add_sprec_problems(error)
        return True
    except DomainError:
        return False
    return False


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def specimen_register_view(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    biobank = biobank_for(request, code, Perm.CHANGE_SPECIMENS)
    collections = Collection.objects.filter(biobank=biobank).order_by("name")
    form = SpecimenRegisterForm(request.POST if request.method == "POST" else None, collections=collections)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        donor = donor_for_pid(biobank=biobank, text=data["donor"])
        if donor is None:
            form.add_error("donor", _("No donor of this biobank has the PID %(pid)s.") % {"pid": data["donor"]})
        else:
            try:
                specimen = specimen_register(
                    actor=request.user,
                    collection=data["collection"],
                    donor=donor,
                    sample_type=data["sample_type"],
                    kind=data.get("kind") or "",
                    material_type=data.get("material_type") or "",
                    quantity=data["quantity"],
                    unit=data["unit"],
                    barcode=data.get("barcode") or "",
                    concentration=data.get("concentration"),
                    concentration_unit=data.get("concentration_unit") or "",
                    sprec_code=data.get("sprec_code") or "",
                    notes=data.get("notes") or "",
                    facts=form.facts(),
                    aliquots=form.aliquots(),
                    diagnosis=data.get("diagnosis") or "",
                )
            except ForbiddenError:
                raise  # the browser's 403 page, not a form error
            except DomainError as error:
                if not (error.field == "facts" and _show_sprec_problems(form)):
                    add_domain_error(form, error, FIELD_MAP)
            else:
                count = specimen.children.count()
                messages.success(
                    request,
                    ngettext(
                        "Specimen %(barcode)s was registered with %(count)d aliquot.",
                        "Specimen %(barcode)s was registered with %(count)d aliquots.",
                        count,
                    )
                    % {"barcode": specimen.barcode, "count": count},
                )
                url = reverse("specimens:specimen_detail", args=[biobank.code, specimen.barcode])
                return redirect(f"{url}?registered=1")
    return render(request, "specimens/specimen_register.html", {"biobank": biobank, "form": form})
