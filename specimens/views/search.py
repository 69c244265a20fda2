"""The header search (``/specimens/scan/?code=…``): a scanned barcode or PID, whatever biobank the person is in.

Barcodes are unique across the installation, so a barcode opens its specimen page directly; a PID opens the list of
that donor's specimens, or, when the PID names donors in several of the person's biobanks, a page listing them.
Only what the person may see is searched: anything else is "nothing found", never a hint that it exists.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from biobank.accounts.principals import AuthenticatedHttpRequest

from ..forms.lists import ScanForm
from ..selectors.specimens import pid_canonical, specimens_visible_to


@login_required
@require_GET
def scan_any(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ScanForm(request.GET)
    text = form.cleaned_data["code"].strip() if form.is_valid() else ""
    visible = specimens_visible_to(user=request.user)
    if text:
        found = visible.filter(barcode=text).values("barcode", "biobank__code").first()
        if found is not None:
            return redirect("specimens:specimen_detail", code=found["biobank__code"], barcode=found["barcode"])
    biobanks = (
        list(
            visible.filter(donor__pid=pid_canonical(text))
            .values_list("biobank__code", "biobank__name")
            .distinct()
            .order_by("biobank__name")
        )
        if text
        else []
    )
    links = [
        (name, f"{reverse('specimens:specimen_list', args=[code])}?{urlencode({'pid': text})}")
        for code, name in biobanks
    ]
    if len(links) == 1:
        return redirect(links[0][1])
    return render(request, "specimens/scan_results.html", {"form": form, "text": text, "links": links})
