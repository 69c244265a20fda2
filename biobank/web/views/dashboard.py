"""The home page: what the signed-in person can see and do, per biobank and role."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from biobank.accounts.choices import Perm
from biobank.accounts.principals import AuthenticatedHttpRequest
from biobank.audit.selectors import latest_verification
from biobank.web.access import biobank_access
from biobank.web.panels import biobank_panels, network_directory, user_sections


@login_required
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    accesses = biobank_access(request)
    reads_audit = any(access.can(Perm.VIEW_AUDIT) for access in accesses)
    context = {
        "panels": biobank_panels(user=user, accesses=accesses),
        "directory": network_directory(user=user) if user.is_researcher else None,
        "sections": user_sections(user=user),  # about the person: a researcher's own requests
        # Auditors see at a glance whether the last verification found the chain intact.
        "show_verification": reads_audit,
        "verification": latest_verification() if reads_audit else None,
    }
    return render(request, "web/dashboard.html", context)
