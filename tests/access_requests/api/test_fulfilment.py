"""Fulfilment API: build, list, link, prepare and the verbs; 404 for others, idempotent verbs."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from access_requests.models import Release, Shipment
from tests.access_requests.factories import make_researcher
from tests.access_requests.fulfil_factories import (  # noqa: F401  (media_root: autouse fixture)
    built_release,
    decider,
    media_root,
    setup_world,
)

pytestmark = pytest.mark.django_db


def client_of(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_chair_builds_and_the_researcher_lists_and_gets_a_link(biobank_a, django_capture_on_commit_callbacks):
    resource, _donors, _specimens = setup_world(biobank_a, donors=1)
    url = f"/api/v1/access-requests/{resource.request_id}/releases"
    with django_capture_on_commit_callbacks(execute=True):
        response = client_of(decider(biobank_a)).post(url, {"resource": resource.pk}, format="json")
    assert response.status_code == 201, response.content
    release = Release.objects.get()
    from guardian.shortcuts import assign_perm

    assign_perm("access_requests.download_release", resource.request.researcher, release)
    researcher = client_of(resource.request.researcher)
    listed = researcher.get(url)
    assert listed.status_code == 200 and listed.json()["results"][0]["status"] == "ready"
    link = researcher.post(f"/api/v1/releases/{release.pk}/download-link")
    assert link.status_code == 201 and "/requests/download/" in link.json()["csv"]


def test_others_see_nothing(biobank_a, outsider):
    resource, _donors, _specimens = setup_world(biobank_a, donors=1)
    assert client_of(outsider).get(f"/api/v1/access-requests/{resource.request_id}/releases").status_code == 404
    assert (
        client_of(make_researcher()).get(f"/api/v1/access-requests/{resource.request_id}/shipments").status_code == 404
    )


def test_shipments_prepare_and_verbs_are_idempotent(biobank_a, technician_a):
    resource, _donors, specimens = setup_world(biobank_a, donors=1)
    staff = client_of(technician_a)
    created = staff.post(
        f"/api/v1/access-requests/{resource.request_id}/shipments",
        {"resource": resource.pk, "specimen_ids": [specimens[0].pk], "address": "Lab"},
        format="json",
    )
    assert created.status_code == 201, created.content
    shipment = Shipment.objects.get()
    shipped = staff.post(f"/api/v1/shipments/{shipment.pk}/ship", {"courier_reference": "UPS-9"}, format="json")
    assert shipped.status_code == 200 and shipped.json()["status"] == "shipped"
    again = staff.post(f"/api/v1/shipments/{shipment.pk}/ship", {"courier_reference": "UPS-9"}, format="json")
    assert again.status_code == 200
    researcher = client_of(resource.request.researcher)
    assert researcher.post(f"/api/v1/shipments/{shipment.pk}/receive").json()["status"] == "received"
    refused = staff.post(f"/api/v1/shipments/{shipment.pk}/cancel")
    assert refused.status_code == 409
    assert client_of(make_researcher()).post(f"/api/v1/shipments/{shipment.pk}/consume").status_code == 404
