"""Set-based inventory for the facts tests (the engine reads rows; how they were registered does not matter here),
and the independent reference model: the star rows the engine must give, computed in plain Python."""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from catalog import vocabularies
from catalog.models import Collection, CollectionFact
from consent.models import Donor
from specimens.models import Specimen
from tests.consent.factories import new_pid

_barcodes = itertools.count(1)
ANY = "*"


@dataclass(frozen=True)
class Person:
    sex: str
    birth_year: int | None
    birth_month: int | None


@dataclass(frozen=True)
class Tube:
    collection: int  # index into the collections
    donor: int  # index into the donors
    material: str  # MIABIS sample type
    collected_at: datetime | None
    status: str = "available"
    diagnosis: str = ""
    aliquots: int = 0  # aliquots of this tube (same donor, type and time: the same sample)


def add_donors(biobank, people: list[Person]) -> list[Donor]:
    return Donor.objects.bulk_create(
        Donor(biobank=biobank, pid=new_pid(), sex=p.sex, birth_year=p.birth_year, birth_month=p.birth_month)
        for p in people
    )


def add_tubes(biobank, collections: list[Collection], donors: list[Donor], tubes: list[Tube]) -> list[Specimen]:
    made: list[Specimen] = []
    for tube in tubes:
        values = {
            "biobank": biobank,
            "collection": collections[tube.collection],
            "donor": donors[tube.donor],
            "sample_type": "SER",
            "sprec_kind": "fluid",
            "material_type": tube.material,
            "status": tube.status,
            "diagnosis": tube.diagnosis,
            "initial_quantity": Decimal(2),
            "quantity": Decimal(2),
            "unit": "mL",
            "collected_at": tube.collected_at,
        }
        parent = Specimen.objects.create(barcode=f"FACTS{next(_barcodes):08d}", **values)
        made.append(parent)
        for _ in range(tube.aliquots):
            made.append(
                Specimen.objects.create(
                    barcode=f"FACTS{next(_barcodes):08d}",
                    lineage="aliquot",
                    parent=parent,
                    **values,
                )
            )
    return made


def stored_rows(collection_ids) -> dict[tuple[int, str, str, str, str], tuple[int, int]]:
    return {
        (f.collection_id, f.sex, f.age_range, f.material_type, f.disease): (f.number_of_samples, f.number_of_donors)
        for f in CollectionFact.objects.filter(collection_id__in=list(collection_ids))
    }


# --- the reference model ---------------------------------------------------------------------------------------

SEX = {"male": "MALE", "female": "FEMALE", "undifferentiated": "UNDIFFERENTIAL", "unknown": "UNKNOWN"}


def age_range(person: Person, at: datetime | None) -> str:
    if person.birth_year is None or at is None:
        return "Unknown"
    months = (at.year - person.birth_year) * 12 + at.month - (person.birth_month or 7)
    if months < 0:
        return "Unknown"
    years = months // 12
    if months <= 1:
        return "Newborn"
    if months <= 23:
        return "Infant"
    for upto, code in ((12, "Child"), (17, "Adolescent"), (24, "Young Adult"), (44, "Adult"), (64, "Middle-aged")):
        if years <= upto:
            return code
    return "Aged (65-79 years)" if years <= 79 else "Aged (>80 years)"


def expected_rows(
    people: list[Person], tubes: list[Tube], parents: dict[int, int | None]
) -> dict[tuple[int, str, str, str, str], tuple[int, int]]:
    """Star rows keyed by collection index: samples are distinct (donor, type, time) among counted tubes, attributed
    to the tube's collection and every ancestor; every collection index in ``parents`` has a total row."""
    crosswalk = vocabularies.crosswalks()["sample_type_v11_to_directory_material"]
    samples: dict[tuple[int, int, str, object], list[str]] = defaultdict(list)
    for number, tube in enumerate(tubes):
        key_time: object = tube.collected_at if tube.collected_at is not None else ("tube", number)
        if tube.status in ("available", "reserved"):  # the tube and its aliquots: one sample
            samples[(tube.collection, tube.donor, tube.material, key_time)].append(tube.diagnosis)
    cells: list[tuple[int, int, tuple[str, str, str, str]]] = []
    for (collection, donor, material, key_time), diagnoses in samples.items():
        at = key_time if isinstance(key_time, datetime) else None
        person = people[donor]
        dims = (
            SEX[person.sex],
            age_range(person, at),
            crosswalk.get(material, "OTHER"),
            min((d for d in diagnoses if d), default=""),
        )
        node: int | None = collection
        while node is not None:
            cells.append((node, donor, dims))
            node = parents[node]
    rows: dict[tuple[int, str, str, str, str], list] = {}
    for collection, donor, dims in cells:
        for mask in itertools.product((False, True), repeat=4):
            shown = tuple(ANY if rolled else value for rolled, value in zip(mask, dims, strict=True))
            row = rows.setdefault((collection, *shown), [0, set()])
            row[0] += 1
            row[1].add(donor)
    result = {key: (count, len(donors)) for key, (count, donors) in rows.items()}
    for collection in parents:
        result.setdefault((collection, ANY, ANY, ANY, ANY), (0, 0))
    return result
