"""Shipments: consent-checked, all-or-nothing reservations; the tracking through the table; cancel releases."""

from __future__ import annotations

import pytest

from access_requests.choices import ShipmentStatus
from access_requests.models import Shipment
from access_requests.services.shipments import (
    shipment_cancel,
    shipment_consume,
    shipment_prepare,
    shipment_receive,
    shipment_return,
    shipment_ship,
)
from access_requests.services.workflow import TransitionRefused
from biobank.errors import DomainError, ForbiddenError
from specimens.choices import SpecimenStatus
from specimens.models import SpecimenEvent
from tests.access_requests.fulfil_factories import (  # noqa: F401  (media_root: autouse fixture)
    media_root,
    plasma,
    release_donor,
    setup_world,
)

pytestmark = pytest.mark.django_db
S = SpecimenStatus


def prepare(technician, resource, specimens, **kwargs):
    return shipment_prepare(
        actor=technician,
        resource=resource,
        specimen_ids=[s.pk for s in specimens],
        courier="World Courier",
        temperature="dry ice",
        address="Karolinska Institutet, Solna",
        **kwargs,
    )


def test_it_reserves_consent_checked_specimens_and_tracks_the_shipment(biobank_a, technician_a):
    resource, _donors, specimens = setup_world(biobank_a, donors=2)
    shipment = prepare(technician_a, resource, specimens)
    assert {s.status for s in type(specimens[0]).objects.filter(pk__in=[s.pk for s in specimens])} == {S.RESERVED}
    assert SpecimenEvent.objects.filter(specimen__in=specimens, type="reserved").count() == 2
    shipment_ship(actor=technician_a, shipment=shipment, courier_reference="WC-123")
    assert shipment.courier_reference == "WC-123"
    assert set(
        type(specimens[0]).objects.filter(pk__in=[s.pk for s in specimens]).values_list("status", flat=True)
    ) == {S.DISTRIBUTED}
    shipment_receive(actor=resource.request.researcher, shipment=shipment)
    shipment_receive(actor=resource.request.researcher, shipment=shipment)  # idempotent
    shipment_consume(actor=resource.request.researcher, shipment=shipment)
    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.CONSUMED and shipment.closed_at


def test_a_refused_specimen_is_listed_and_nothing_is_reserved(biobank_a, technician_a):
    resource, _donors, specimens = setup_world(biobank_a, donors=1)
    refusing = release_donor(biobank_a, **{"rel-transfer": "declined"})
    refused = plasma(resource.collections.get(), refusing)
    with pytest.raises(DomainError) as error:
        prepare(technician_a, resource, [*specimens, refused])
    assert refused.barcode in error.value.message and "transfer" in error.value.message
    assert specimens[0].barcode not in error.value.message
    specimens[0].refresh_from_db()
    assert specimens[0].status == S.AVAILABLE and not Shipment.objects.exists()


def test_a_count_picks_only_permitted_specimens(biobank_a, technician_a):
    resource, _donors, specimens = setup_world(biobank_a, donors=2)
    plasma(resource.collections.get(), release_donor(biobank_a, **{"rel-transfer": "declined"}))
    shipment = shipment_prepare(actor=technician_a, resource=resource, count=2, address="Lab")
    assert set(shipment.items.values_list("specimen_id", flat=True)) == {s.pk for s in specimens}
    with pytest.raises(DomainError, match="Only 0"):
        shipment_prepare(actor=technician_a, resource=resource, count=1, address="Lab")


def test_cancel_releases_the_reservations(biobank_a, technician_a):
    resource, _donors, specimens = setup_world(biobank_a, donors=1)
    shipment = prepare(technician_a, resource, specimens)
    shipment_cancel(actor=technician_a, shipment=shipment)
    specimens[0].refresh_from_db()
    assert specimens[0].status == S.AVAILABLE
    with pytest.raises(TransitionRefused):
        shipment_ship(actor=technician_a, shipment=shipment, courier_reference="X")


def test_returned_material_is_available_again(biobank_a, technician_a):
    resource, _donors, specimens = setup_world(biobank_a, donors=1)
    shipment = prepare(technician_a, resource, specimens)
    shipment_ship(actor=technician_a, shipment=shipment, courier_reference="R1")
    shipment_receive(actor=technician_a, shipment=shipment)
    shipment_return(actor=technician_a, shipment=shipment)
    specimens[0].refresh_from_db()
    assert specimens[0].status == S.AVAILABLE


def test_only_specimen_staff_prepare_and_ship(biobank_a, technician_a, auditor_a):
    resource, _donors, specimens = setup_world(biobank_a, donors=1)
    with pytest.raises(ForbiddenError):
        prepare(auditor_a, resource, specimens)
    shipment = prepare(technician_a, resource, specimens)
    with pytest.raises(ForbiddenError):
        shipment_ship(actor=resource.request.researcher, shipment=shipment, courier_reference="X")


def test_the_walk_follows_the_table(biobank_a, technician_a):
    resource, _donors, specimens = setup_world(biobank_a, donors=1)
    shipment = prepare(technician_a, resource, specimens)
    with pytest.raises(TransitionRefused):
        shipment_receive(actor=technician_a, shipment=shipment)
    with pytest.raises(DomainError, match="courier"):
        shipment_ship(actor=technician_a, shipment=shipment, courier_reference=" ")
