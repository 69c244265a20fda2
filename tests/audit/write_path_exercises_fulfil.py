"""Exercisers of the fulfilment routes (access_requests/views/fulfilment.py, api/fulfilment.py) for
``test_write_paths_audited``: one per route, valid data, as the right person."""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile
from guardian.shortcuts import assign_perm
from rest_framework.test import APIClient

from access_requests.models import Release, RequestResource, Shipment
from access_requests.services.downloads import download_link_create
from access_requests.services.shipments import shipment_prepare, shipment_receive, shipment_ship
from tests.access_requests.fulfil_factories import decider, setup_world
from tests.audit.write_path_exercises import Fixtures, _ok


def _client(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _world(f: Fixtures) -> tuple[RequestResource, list[Any]]:
    f.settings.MEDIA_ROOT = f.tmp_path / "media"
    resource, _donors, specimens = setup_world(f.biobank_a, donors=1)
    return resource, specimens


def _ready_release(resource: RequestResource) -> Release:
    release = Release.objects.create(resource=resource, status="ready", requested_by=resource.request.researcher)
    release.csv_file.save("matrix.csv", ContentFile(b"donor_pseudonym\n"), save=True)
    assign_perm("access_requests.download_release", resource.request.researcher, release)
    return release


def _shipment(f: Fixtures, status: str = "prepared") -> Shipment:
    resource, specimens = _world(f)
    shipment = shipment_prepare(actor=f.technician_a, resource=resource, specimen_ids=[specimens[0].pk], address="Lab")
    if status in ("shipped", "received"):
        shipment_ship(actor=f.technician_a, shipment=shipment, courier_reference="R-1")
    if status == "received":
        shipment_receive(actor=f.technician_a, shipment=shipment)
    return shipment


def api_release_build(f: Fixtures) -> None:
    resource, _specimens = _world(f)
    body = {"resource": resource.pk}
    _ok(_client(decider(f.biobank_a)).post(f"/api/v1/access-requests/{resource.request_id}/releases", body), 201)


def api_shipment_prepare(f: Fixtures) -> None:
    resource, specimens = _world(f)
    body = {"resource": resource.pk, "specimen_ids": [specimens[0].pk], "address": "Lab"}
    url = f"/api/v1/access-requests/{resource.request_id}/shipments"
    _ok(_client(f.technician_a).post(url, body, format="json"), 201)


def api_download_link(f: Fixtures) -> None:
    resource, _specimens = _world(f)
    release = _ready_release(resource)
    _ok(_client(resource.request.researcher).post(f"/api/v1/releases/{release.pk}/download-link"), 201)


def _verb(verb: str, start: str, body: dict | None = None) -> Any:
    def run(f: Fixtures) -> None:
        shipment = _shipment(f, start)
        _ok(_client(f.technician_a).post(f"/api/v1/shipments/{shipment.pk}/{verb}", body or {}, format="json"), 200)

    return run


api_shipment_ship = _verb("ship", "prepared", {"courier_reference": "UPS-1"})
api_shipment_receive = _verb("receive", "shipped")
api_shipment_return = _verb("return", "received")
api_shipment_consume = _verb("consume", "received")
api_shipment_cancel = _verb("cancel", "prepared")


def web_fulfilment(f: Fixtures) -> None:
    resource, _specimens = _world(f)
    f.client.force_login(decider(f.biobank_a))
    _ok(f.client.post(f"/requests/fulfilment/{resource.pk}/", {"action": "build"}), 302)


def web_request_releases(f: Fixtures) -> None:
    resource, _specimens = _world(f)
    release = _ready_release(resource)
    f.client.force_login(resource.request.researcher)
    _ok(f.client.post(f"/requests/{resource.request_id}/releases/", {"action": "link", "release": release.pk}), 200)


def web_download(f: Fixtures) -> None:
    resource, _specimens = _world(f)
    release = _ready_release(resource)
    _link, token = download_link_create(actor=resource.request.researcher, release=release)
    f.client.force_login(resource.request.researcher)
    _ok(f.client.get(f"/requests/download/{token}/csv"), 200)
