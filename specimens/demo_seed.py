"""The specimens app's part of ``seed_demo``: a freezer with racks and boxes, specimens with lineage and events.

Registered from ``SpecimensConfig.ready()``; runs after the consent seeder, so the demo donors and their consents
exist. Idempotent: nothing is added once the demo biobank has storage. What it makes, so every screen shows
something real:

* site → room → -80 °C freezer → two racks → a 9 x 9 box, a 10 x 10 box and a 8 x 12 plate; a liquid-nitrogen tank
  with a rack and a box;
* per demo donor (the first eight with a consent): an EDTA blood tube with its facts (SPREC derived), plasma
  derived from it and split into aliquots placed in the boxes, DNA extracted from the rest, a serum tube with
  aliquots; QC results and a thaw;
* one donor withdraws ("no further use") through the consent service: their specimens become consent-blocked;
* a few specimens received today and not yet stored, so the worklists have rows;
* the example import file (``data/demo-import.csv``) filled with four demo donors' PIDs and uploaded as an import
  job: its dry run is clean and "Import now" waits on the imports page.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from biobank.demo import DemoContext
from catalog.models import Collection
from consent.models import Consent, Donor

from .choices import SpecimenStatus
from .models import Specimen, StorageUnit
from .services import (
    AliquotPlan,
    specimen_derive,
    specimen_qc_record,
    specimen_register,
    specimen_thaw,
    specimens_aliquot,
)
from .services.storage import specimens_place_bulk, storage_unit_create

TECHNICIAN = "staff@example.org"
# The diagnosis the demo specimens record, by collection (ICD-10 WHO 2019; population cohorts have none).
DIAGNOSES = {
    "crc-tissue": "C18",
    "crc-tissue-rectum": "C20",
    "ibd-cohort": "K51",
    "covid-19": "U07.1",
    "breast-ffpe": "C50",
    "leukaemia": "C91",
}
DONORS = 8
WITHDRAWING_DONOR = 6  # the sixth consented donor withdraws: their tubes are consent-blocked


def _storage(biobank: Any, actor: Any) -> list[StorageUnit]:
    def unit(parent: StorageUnit | None, kind: str, name: str, code: str, **extra: Any) -> StorageUnit:
        return storage_unit_create(
            actor=actor, biobank=biobank, parent=parent, kind=kind, name=name, code=code, **extra
        )

    site = unit(None, "site", "University hospital, building C", "UKRM-C")
    room = unit(site, "room", "Biobank cold room C.017", "C017")
    freezer = unit(room, "freezer", "Freezer 1 (-80 °C)", "F1", temperature_c=-80)
    rack_a = unit(freezer, "rack", "Rack A", "F1-A")
    rack_b = unit(freezer, "rack", "Rack B", "F1-B")
    boxes = [
        unit(rack_a, "box", "Plasma box 1 (9 x 9)", "F1-A-01", rows=9, columns=9),
        unit(rack_a, "box", "Serum box 1 (10 x 10)", "F1-A-02", rows=10, columns=10),
        unit(rack_b, "box", "DNA plate 1 (8 x 12)", "F1-B-01", rows=8, columns=12),
    ]
    tank = unit(room, "tank", "Liquid-nitrogen tank 1", "LN1", temperature_c=-190)
    rack_ln = unit(tank, "rack", "Tank rack 1", "LN1-R1")
    boxes.append(unit(rack_ln, "box", "Viable cells box 1 (9 x 9)", "LN1-R1-01", rows=9, columns=9))
    return boxes


def _blood_facts(collected: Any) -> dict[str, Any]:
    return {
        "collected_at": collected,
        "received_at": collected + timedelta(minutes=40),
        "primary_container": "PED",
        "pre_centrifugation_delay_min": 75,
        "pre_centrifugation_temperature_c": Decimal(21),
        "centrifugation": "done",
        "centrifugation_temperature_c": Decimal(20),
        "centrifugation_duration_min": 10,
        "centrifugation_g_force": 2000,
        "centrifugation_braking": True,
        "second_centrifugation": "none",
        "post_centrifugation_delay_min": 40,
        "post_centrifugation_temperature_c": Decimal(4),
        "storage_started_at": collected + timedelta(hours=3),
        "storage_container": "cryotube-1-2ml",
        "storage_method": "freezer",
        "storage_temperature_c": Decimal(-80),
    }


def seed(context: DemoContext) -> None:
    biobank = context.first_biobank
    if StorageUnit.objects.filter(biobank=biobank).exists():
        return
    actor = context.people.get(TECHNICIAN)
    plasma_box, serum_box, dna_plate, _cells_box = _storage(biobank, actor)
    collection = Collection.objects.filter(biobank=biobank).order_by("code").first()
    if collection is None:
        return
    consented = Donor.objects.filter(
        biobank=biobank, merged_into__isnull=True, pk__in=Consent.objects.filter(biobank=biobank).values("donor")
    ).order_by("pk")[:DONORS]
    now = timezone.now()
    to_place: dict[int, list[tuple[str, str | None]]] = {plasma_box.pk: [], serum_box.pk: [], dna_plate.pk: []}
    for number, donor in enumerate(consented, start=1):
        collected = now - timedelta(days=40 - 3 * number, hours=number)
        blood = specimen_register(
            actor=actor,
            collection=collection,
            donor=donor,
            sample_type="BLD",
            quantity="9",
            unit="mL",
            facts=_blood_facts(collected),
            notes="EDTA tube, demo",
            diagnosis=DIAGNOSES.get(collection.code, ""),
        )
        if blood.status == SpecimenStatus.CONSENT_BLOCKED:  # a donor who withdrew their samples: never processed
            continue
        plasma = specimen_derive(
            actor=actor,
            parent=blood,
            sample_type="PL1",
            used_quantity="5",
            used_unit="mL",
            quantity="2.5",
            unit="mL",
        )
        aliquots = specimens_aliquot(actor=actor, parent=plasma, count=4, quantity="0.5", unit="mL")
        to_place[plasma_box.pk] += [(a.barcode, None) for a in aliquots]
        dna = specimen_derive(
            actor=actor,
            parent=blood,
            sample_type="ZZZ",
            material_type="DNA",
            used_quantity="2",
            used_unit="mL",
            quantity="45",
            unit="ug",
            concentration="150",
            concentration_unit="ng/uL",
        )
        specimen_qc_record(actor=actor, specimen=dna, measure="din", value="8.7", passed=True)
        to_place[dna_plate.pk].append((dna.barcode, None))
        serum = specimen_register(
            actor=actor,
            collection=collection,
            donor=donor,
            sample_type="SER",
            quantity="4",
            unit="mL",
            sprec_code="SER-SST-A-B-N-A-E",
            facts={"collected_at": collected, "received_at": collected + timedelta(minutes=40)},
            aliquots=AliquotPlan(count=6, quantity=Decimal("0.5"), unit="mL"),
            diagnosis=DIAGNOSES.get(collection.code, ""),
        )
        to_place[serum_box.pk] += [(a.barcode, None) for a in serum.children.order_by("pk")]
        if number == 2:
            specimen_thaw(actor=actor, specimen=aliquots[0], note="Thawed for a pilot assay (demo)")
    boxes = {box.pk: box for box in (plasma_box, serum_box, dna_plate)}
    for box_id, placements in to_place.items():
        if placements:
            specimens_place_bulk(actor=actor, box=boxes[box_id], placements=placements)
    # Received today and not yet processed or stored: the worklists "received today", "to process", "to store".
    for donor in list(consented)[:3]:
        specimen_register(
            actor=actor,
            collection=collection,
            donor=donor,
            sample_type="URN",
            quantity="20",
            unit="mL",
            facts={"collected_at": now - timedelta(hours=2), "received_at": now - timedelta(hours=1)},
            diagnosis=DIAGNOSES.get(collection.code, ""),
        )
    _withdraw_one(consented, context)
    _example_import(biobank, actor, collection, [d for n, d in enumerate(consented, 1) if n != WITHDRAWING_DONOR])


def _example_import(biobank: Any, actor: Any, collection: Collection, donors: list[Donor]) -> None:
    from pathlib import Path

    from .services.imports import import_upload

    if len(donors) < 4:
        return
    text = (Path(__file__).resolve().parent / "data" / "demo-import.csv").read_text(encoding="utf-8")
    for number, donor in enumerate(donors[:4], start=1):
        text = text.replace(f"{{PID{number}}}", donor.pid_display)
    text = text.replace("{COLLECTION}", collection.code)
    import_upload(actor=actor, biobank=biobank, data=text.encode("utf-8"), file_name="demo-import.csv")


def _withdraw_one(consented: Any, context: DemoContext) -> None:
    from consent.services import donor_withdraw

    donors = list(consented)
    if len(donors) < WITHDRAWING_DONOR:
        return
    donor = donors[WITHDRAWING_DONOR - 1]
    if Specimen.objects.filter(donor=donor, status="consent_blocked").exists():
        return
    donor_withdraw(
        actor=context.people.get("consent@example.org"),
        donor=donor,
        level="no_further_use",
        effective=timezone.localdate(),
        reason="Donor withdrew by letter; every specimen is blocked until destroyed (demo).",
    )
