"""What the specimen pages share: the permissions of the person here, a specimen by barcode (404 outside the
biobank), and turning a form's errors into one message for the actions that send the person back."""

from __future__ import annotations

from django import forms
from django.http import Http404
from django.utils.translation import gettext as _

from biobank.accounts.choices import Perm
from biobank.accounts.models import Biobank
from biobank.accounts.principals import AuthenticatedHttpRequest
from biobank.web.access import biobank_access

from ..models import Specimen
from ..selectors.lists import specimens_of_biobank

PAGE_SIZE = 50


def perms_here(request: AuthenticatedHttpRequest, biobank: Biobank) -> set[str]:
    """What the person may do in ``biobank``, from the request-cached roles (no query beyond the navigation's)."""
    return next((a.perms for a in biobank_access(request) if a.biobank.pk == biobank.pk), set())


def can_change(request: AuthenticatedHttpRequest, biobank: Biobank) -> bool:
    return Perm.CHANGE_SPECIMENS in perms_here(request, biobank)


def specimen_for(request: AuthenticatedHttpRequest, biobank: Biobank, barcode: str) -> Specimen:
    """The biobank's specimen ``barcode`` as the person may see it; anything else is a 404."""
    specimen = (
        specimens_of_biobank(user=request.user, biobank=biobank)
        .select_related("parent")
        .filter(barcode=barcode)
        .first()
    )
    if specimen is None:
        raise Http404(_("No specimen with this barcode in this biobank."))
    return specimen


def form_errors_text(form: forms.Form) -> str:
    """Every error of ``form`` in one sentence list, each named by its field's label."""
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            parts.append(f"{label}: {error}" if label else str(error))
    return " ".join(parts)
