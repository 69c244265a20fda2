"""Builders for the storage tests.

TEMPORARY (marked for the lead): ``make_specimen`` writes a ``Specimen`` row with ``Specimen.objects.create``
because the specimen lifecycle services (``specimen_register``) are being written in parallel; switch it to the
real factory in ``tests/factories.py`` on merge. Everything else goes through the real storage services.
"""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

from biobank.accounts.models import Biobank
from catalog import services as catalog_services
from catalog.models import Collection
from consent.models import Donor
from specimens.choices import SpecimenStatus, StorageKind
from specimens.models import Specimen, StorageUnit
from specimens.services import storage_unit_create
from tests.consent.consent_helpers import new_pid

_numbers = itertools.count(1)


def _collection(biobank: Biobank) -> Collection:
    found = Collection.objects.filter(biobank=biobank, code="storage-tests").first()
    return found or catalog_services.collection_create(
        actor=None, biobank=biobank, code="storage-tests", name="Storage tests"
    )


def _donor(biobank: Biobank) -> Donor:
    found = Donor.objects.filter(biobank=biobank).order_by("pk").first()
    return found or Donor.objects.create(biobank=biobank, pid=new_pid())


def make_specimen(
    biobank: Biobank,
    *,
    barcode: str | None = None,
    status: str = SpecimenStatus.AVAILABLE,
    sample_type: str = "SER",
    **fields: Any,
) -> Specimen:
    """TEMPORARY: one primary specimen row (see the module docstring); not placed."""
    return Specimen.objects.create(
        biobank=biobank,
        collection=_collection(biobank),
        donor=_donor(biobank),
        barcode=barcode or f"T{next(_numbers):06d}",
        sample_type=sample_type,
        sprec_kind="fluid",
        status=status,
        initial_quantity=Decimal("1.0"),
        quantity=Decimal("1.0"),
        unit="mL",
        **fields,
    )


def make_freezer(biobank: Biobank, tag: str = "") -> StorageUnit:
    """Site → room → freezer, through the service."""
    site = storage_unit_create(
        actor=None, biobank=biobank, parent=None, kind=StorageKind.SITE, name="Campus", code=f"SITE{tag}"
    )
    room = storage_unit_create(
        actor=None, biobank=biobank, parent=site, kind=StorageKind.ROOM, name="Room 1", code=f"ROOM{tag}"
    )
    return storage_unit_create(
        actor=None,
        biobank=biobank,
        parent=room,
        kind=StorageKind.FREEZER,
        name="Freezer -80",
        code=f"FRZ{tag}",
        temperature_c=-80,
    )


def make_box(biobank: Biobank, *, rows: int = 9, columns: int = 9, code: str | None = None, parent=None) -> StorageUnit:
    """A box in a rack of a freezer (a new freezer unless ``parent`` is given)."""
    number = next(_numbers)
    if parent is None:
        freezer = make_freezer(biobank, tag=f"-{number}")
        parent = storage_unit_create(
            actor=None, biobank=biobank, parent=freezer, kind=StorageKind.RACK, name="Rack", code=f"RACK-{number}"
        )
    return storage_unit_create(
        actor=None,
        biobank=biobank,
        parent=parent,
        kind=StorageKind.BOX,
        name=f"Box {number}",
        code=code or f"BOX-{number}",
        rows=rows,
        columns=columns,
    )
