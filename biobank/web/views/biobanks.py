"""A biobank's overview page, for every member of it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render

from biobank.accounts.principals import AuthenticatedHttpRequest
from biobank.web.access import biobank_access, biobank_for
from biobank.web.panels import biobank_panels


@login_required
def overview(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    biobank = biobank_for(request, code)
    access = next((a for a in biobank_access(request) if a.biobank.pk == biobank.pk), None)
    if access is None:  # guardian and memberships disagree: trust the stricter answer
        raise Http404
    (panel,) = biobank_panels(user=request.user, accesses=[access])
    return render(request, "web/biobank_overview.html", {"biobank": biobank, "panel": panel})
