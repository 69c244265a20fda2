"""The packing list PDF names every barcode, the courier reference and the temperature."""

from __future__ import annotations

import pytest

from access_requests.packing_list import packing_list_pdf
from access_requests.services.shipments import shipment_prepare
from tests.access_requests.fulfil_factories import media_root, setup_world  # noqa: F401

pytestmark = pytest.mark.django_db


def test_it_is_a_pdf_of_the_shipment(biobank_a, technician_a):
    resource, _donors, _specimens = setup_world(biobank_a, donors=2)
    shipment = shipment_prepare(
        actor=technician_a, resource=resource, count=2, address="Lab", temperature="dry ice", courier="DHL"
    )
    pdf = packing_list_pdf(shipment)
    assert pdf.startswith(b"%PDF") and len(pdf) > 1000
