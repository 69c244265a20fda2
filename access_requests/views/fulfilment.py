"""Fulfilment pages: the staff page of one granted resource (build releases, prepare and track shipments, packing
lists), the researcher's page of a request's releases and shipments (download links, "received"), and the download
itself. Objects the user may not see are 404; every action goes through the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from biobank.errors import DomainError
from biobank.ops.client_address import client_address
from biobank.web.forms import add_domain_error

from ..models import AccessRequest, Release, RequestResource, Shipment
from ..packing_list import packing_list_pdf
from ..selectors import (
    fulfilment_resources_for,
    releases_of_request_for,
    request_get_for,
    shipments_of_request_for,
)
from ..services import shipments as shipping
from ..services.downloads import download_link_create, download_record
from ..services.releases import release_request, release_retry


class ShipmentForm(forms.Form):
    barcodes = forms.CharField(
        label=gettext_lazy("Barcodes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("One per line; or leave empty and give a number"),
    )
    count = forms.IntegerField(label=gettext_lazy("Number of specimens"), required=False, min_value=1)
    courier = forms.CharField(label=gettext_lazy("Courier"), max_length=100, required=False)
    temperature = forms.CharField(label=gettext_lazy("Shipping temperature"), max_length=40, required=False)
    address = forms.CharField(label=gettext_lazy("Delivery address"), widget=forms.Textarea(attrs={"rows": 3}))


SHIPMENT_ACTIONS = {
    "receive": shipping.shipment_receive,
    "return": shipping.shipment_return,
    "consume": shipping.shipment_consume,
    "cancel": shipping.shipment_cancel,
}


def _resource_for(request: Any, pk: int) -> RequestResource:
    try:
        return fulfilment_resources_for(user=request.user).get(pk=pk)
    except RequestResource.DoesNotExist:
        raise Http404 from None


def _specimen_ids(resource: RequestResource, text: str) -> list[int]:
    from specimens.models import Specimen

    barcodes = [line.strip() for line in (text or "").splitlines() if line.strip()]
    found = dict(
        Specimen.objects.filter(biobank_id=resource.biobank_id, barcode__in=barcodes).values_list("barcode", "pk")
    )
    unknown = [b for b in barcodes if b not in found]
    if unknown:
        raise DomainError(
            _("Unknown barcodes in %(biobank)s: %(codes)s.")
            % {"biobank": resource.biobank.name, "codes": ", ".join(unknown)},
            field="barcodes",
        )
    return list(found.values())


def _staff_action(request: Any, resource: RequestResource, form: ShipmentForm) -> Any:
    action = request.POST.get("action", "")
    if action == "build":
        release_request(actor=request.user, resource=resource)
        messages.success(request, _("The release is being built."))
    elif action == "retry":
        release = get_object_or_404(Release, pk=request.POST.get("release") or 0, resource=resource)
        release_retry(actor=request.user, release=release)
        messages.success(request, _("The release is being built again."))
    elif action == "prepare":
        if not form.is_valid():
            return None
        data = form.cleaned_data
        ids = _specimen_ids(resource, data["barcodes"]) if data["barcodes"].strip() else None
        shipping.shipment_prepare(
            actor=request.user,
            resource=resource,
            specimen_ids=ids,
            count=data["count"],
            courier=data["courier"],
            temperature=data["temperature"],
            address=data["address"],
        )
        messages.success(request, _("The shipment is prepared; its specimens are reserved."))
    else:
        shipment = get_object_or_404(Shipment, pk=request.POST.get("shipment") or 0, resource=resource)
        if action == "ship":
            shipping.shipment_ship(
                actor=request.user, shipment=shipment, courier_reference=request.POST.get("courier_reference", "")
            )
        elif action in SHIPMENT_ACTIONS:
            SHIPMENT_ACTIONS[action](actor=request.user, shipment=shipment)
        else:
            raise Http404
        messages.success(
            request, _("Shipment %(id)s: %(status)s.") % {"id": shipment.pk, "status": shipment.get_status_display()}
        )
    return redirect("access_requests:fulfilment", pk=resource.pk)


@login_required
@require_http_methods(["GET", "POST"])
def fulfilment(request: Any, pk: int) -> HttpResponse:
    """Staff: the releases and shipments of one resource."""
    resource = _resource_for(request, pk)
    form = ShipmentForm(request.POST if request.POST.get("action") == "prepare" else None)
    error = None
    if request.method == "POST":
        try:
            response = _staff_action(request, resource, form)
            if response is not None:
                return response
        except DomainError as problem:
            error = problem.message
            if request.POST.get("action") == "prepare":
                add_domain_error(form, problem, {"specimen_ids": "barcodes"})
    context = {
        "resource": resource,
        "access_request": resource.request,
        "releases": resource.releases.order_by("-requested_at"),
        "shipments": resource.shipments.prefetch_related("items__specimen").order_by("-created_at"),
        "form": form,
        "error": error,
    }
    return render(request, "access_requests/fulfilment/staff.html", context, status=400 if error else 200)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def request_releases(request: Any, pk: int) -> HttpResponse:
    """The researcher: the request's releases (download links) and shipments (mark received)."""
    try:
        access_request = request_get_for(user=request.user, pk=pk)
    except AccessRequest.DoesNotExist:
        raise Http404 from None
    releases = releases_of_request_for(user=request.user, request=access_request)
    shipments = shipments_of_request_for(user=request.user, request=access_request)
    link = None
    error = None
    status = 200
    if request.method == "POST":
        try:
            if request.POST.get("action") == "link":
                release = get_object_or_404(releases, pk=request.POST.get("release") or 0)
                _link, token = download_link_create(actor=request.user, release=release)
                link = {"release": release, "token": token, "expires_at": _link.expires_at}
            elif request.POST.get("action") == "receive":
                shipment = get_object_or_404(shipments, pk=request.POST.get("shipment") or 0)
                shipping.shipment_receive(actor=request.user, shipment=shipment)
                messages.success(request, _("Marked as received."))
                return redirect("access_requests:request_releases", pk=access_request.pk)
            else:
                raise Http404
        except DomainError as problem:
            error, status = problem.message, problem.status_code
    context = {
        "access_request": access_request,
        "releases": releases.order_by("-requested_at"),
        "shipments": shipments.order_by("-created_at"),
        "link": link,
        "error": error,
        "files": ("csv", "xlsx", "dictionary"),
    }
    return render(request, "access_requests/fulfilment/researcher.html", context, status=status)


@login_required
@never_cache
@require_GET
def download(request: Any, token: str, file: str) -> HttpResponse | FileResponse:
    """Stream one release file after every check (``download_record``); a clear page otherwise."""
    try:
        release, field = download_record(user=request.user, token=token, file=file, ip=client_address(request))
    except DomainError as problem:
        return render(
            request,
            "access_requests/fulfilment/download_refused.html",
            {"message": problem.message},
            status=problem.status_code,
        )
    name = f"release-{release.pk}-{file}.{'xlsx' if file == 'xlsx' else 'csv'}"
    return FileResponse(field.open("rb"), as_attachment=True, filename=name)


@login_required
@require_GET
def packing_list(request: Any, pk: int) -> HttpResponse:
    """The shipment's packing list (staff of the biobank)."""
    shipment = get_object_or_404(Shipment.objects.select_related("resource__request", "resource__biobank"), pk=pk)
    _resource_for(request, shipment.resource_id)
    response = HttpResponse(packing_list_pdf(shipment), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="packing-list-{shipment.pk}.pdf"'
    return response
