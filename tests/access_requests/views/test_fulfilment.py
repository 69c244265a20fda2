"""Fulfilment pages: staff build and ship, the researcher gets a link and downloads, others get 404, refusals are
clear and serve nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from access_requests.models import Download, DownloadLink, Release, Shipment
from tests.access_requests.factories import make_researcher
from tests.access_requests.fulfil_factories import (  # noqa: F401  (media_root: autouse fixture)
    built_release,
    decider,
    media_root,
    setup_world,
)

pytestmark = pytest.mark.django_db


def test_the_chair_builds_a_release_from_the_staff_page(client, biobank_a, django_capture_on_commit_callbacks):
    resource, _donors, _specimens = setup_world(biobank_a, donors=1)
    client.force_login(decider(biobank_a))
    url = reverse("access_requests:fulfilment", args=[resource.pk])
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "build"})
    assert response.status_code == 302
    assert Release.objects.get().status == "ready"


def test_a_technician_prepares_ships_and_prints_the_packing_list(client, biobank_a, technician_a):
    resource, _donors, specimens = setup_world(biobank_a, donors=1)
    client.force_login(technician_a)
    url = reverse("access_requests:fulfilment", args=[resource.pk])
    response = client.post(url, {"action": "prepare", "barcodes": specimens[0].barcode, "address": "Lab 1"})
    assert response.status_code == 302, response.content
    shipment = Shipment.objects.get()
    client.post(url, {"action": "ship", "shipment": shipment.pk, "courier_reference": "DHL-1"})
    shipment.refresh_from_db()
    assert shipment.status == "shipped"
    pdf = client.get(reverse("access_requests:packing_list", args=[shipment.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_a_refused_shipment_says_why(client, biobank_a, technician_a):
    resource, _donors, _specimens = setup_world(biobank_a, donors=1)
    client.force_login(technician_a)
    url = reverse("access_requests:fulfilment", args=[resource.pk])
    response = client.post(url, {"action": "prepare", "barcodes": "NOPE-1", "address": "Lab"})
    assert response.status_code == 400 and "NOPE-1" in response.content.decode()


def test_others_get_404(client, biobank_a, outsider):
    resource, _donors, _specimens = setup_world(biobank_a, donors=1)
    client.force_login(outsider)
    assert client.get(reverse("access_requests:fulfilment", args=[resource.pk])).status_code == 404
    client.force_login(make_researcher())
    assert client.get(reverse("access_requests:request_releases", args=[resource.request_id])).status_code == 404


def test_the_researcher_gets_a_link_and_downloads(client, biobank_a, django_capture_on_commit_callbacks):
    resource, _donors, _specimens = setup_world(biobank_a, donors=1)
    release = built_release(resource, django_capture_on_commit_callbacks)
    client.force_login(resource.request.researcher)
    page = reverse("access_requests:request_releases", args=[resource.request_id])
    response = client.post(page, {"action": "link", "release": release.pk})
    assert response.status_code == 200
    token = response.context["link"]["token"]
    got = client.get(reverse("access_requests:download", args=[token, "csv"]))
    assert got.status_code == 200 and b"donor_pseudonym" in b"".join(got.streaming_content)
    assert Download.objects.count() == 1
    DownloadLink.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    gone = client.get(reverse("access_requests:download", args=[token, "csv"]))
    assert gone.status_code == 410 and "expired" in gone.content.decode()
    client.force_login(make_researcher())
    assert client.get(reverse("access_requests:download", args=[token, "csv"])).status_code == 404
    assert Download.objects.count() == 1
