"""The inventory behind the demo catalogue: donors and specimens for every described demo collection, with
diagnoses matching the collection, then the collection facts computed (``seed_demo`` ends with facts).

The cohorts are reference data for the catalogue pages, written set-based (like the benchmarks) so ``seed_demo``
stays fast: donors with generated PIDs (no identity in the vault, no consent: they are not the donors the consent
screens show) and primary specimens, available. Sizes are chosen so that some fact rows reach k = 10 donors and are
published while others stay below it, and one collection (pop-followup) has too few donors to publish even its size.
Idempotent: a collection that already has cohort specimens is skipped.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from biobank.demo import DemoContext
from biobank.pseudonyms.checkchar import ALPHABET, check_char
from catalog.models import Collection
from consent.models import Donor

from .models import Specimen

BARCODE_PREFIX = "COH"
# collection code -> (donors, [(SPREC sample type, kind, MIABIS material type)], diagnoses, (birth years from, to))
COHORTS: dict[str, tuple[int, list[tuple[str, str, str]], list[str], tuple[int, int]]] = {
    "crc-tissue": (
        34,
        [("TIS", "solid", "Tissue (fresh frozen)"), ("PL1", "fluid", "Plasma"), ("ZZZ", "fluid", "DNA")],
        ["C18", "C18.7", "C19"],
        (1940, 1975),
    ),
    "crc-tissue-rectum": (14, [("TIS", "solid", "Tissue (fresh frozen)")], ["C20"], (1945, 1970)),
    "ibd-cohort": (
        26,
        [("SER", "fluid", "Serum"), ("PL1", "fluid", "Plasma"), ("TIS", "solid", "Tissue (fresh frozen)")],
        ["K50", "K51"],
        (1965, 2008),
    ),
    "covid-19": (18, [("PL1", "fluid", "Plasma"), ("SER", "fluid", "Serum")], ["U07.1"], (1935, 1995)),
    "breast-ffpe": (24, [("TIS", "solid", "Tissue (FFPE)")], ["C50"], (1945, 1985)),
    "leukaemia": (
        16,
        [("ZZZ", "fluid", "Peripheral blood mononuclear cells (PBMC)"), ("ZZZ", "fluid", "DNA")],
        ["C91", "C92"],
        (1950, 2015),
    ),
    "pop-baseline": (
        40,
        [("BLD", "fluid", "Whole blood"), ("SER", "fluid", "Serum"), ("URN", "fluid", "Urine")],
        [],
        (1940, 2000),
    ),
    "pop-followup": (7, [("SER", "fluid", "Serum"), ("URN", "fluid", "Urine")], [], (1940, 2000)),
}
SEXES = ("female", "male", "female", "male", "unknown")


def _pid(number: int) -> str:
    data = "Y"
    for _ in range(9):
        number, digit = divmod(number, len(ALPHABET))
        data += ALPHABET[digit]
    return data + check_char(data)


def seed_cohorts(now: datetime | None = None) -> int:
    """Create the cohorts of the demo collections that have none yet; returns the number of specimens made."""
    now = now or datetime.now(UTC)
    made = 0
    collections = {c.code: c for c in Collection.objects.filter(code__in=COHORTS).select_related("biobank")}
    for index, (code, (donors, materials, diagnoses, (born_from, born_to))) in enumerate(COHORTS.items()):
        collection = collections.get(code)
        if collection is None or Specimen.objects.filter(collection=collection, barcode__startswith=BARCODE_PREFIX):
            continue
        made += _cohort(collection, index, donors, materials, diagnoses, (born_from, born_to), now)
    return made


def _cohort(
    collection: Collection,
    index: int,
    donors: int,
    materials: list[tuple[str, str, str]],
    diagnoses: list[str],
    born: tuple[int, int],
    now: datetime,
) -> int:
    rng = random.Random(f"demo-cohort-{collection.code}")  # noqa: S311 (repeatable demo data, not a secret)
    people = Donor.objects.bulk_create(
        Donor(
            biobank=collection.biobank,
            pid=_pid(index * 1000 + n),
            sex=SEXES[n % len(SEXES)],
            birth_year=rng.randint(*born),
            birth_month=rng.randint(1, 12) if n % 4 else None,
        )
        for n in range(donors)
    )
    specimens: list[Specimen] = []
    for n, donor in enumerate(people):
        collected = now - timedelta(days=rng.randint(30, 3000), hours=rng.randint(0, 23))
        diagnosis = diagnoses[n % len(diagnoses)] if diagnoses else ""
        # every donor gives the first material; most the second; some a later visit of the first
        taken = [materials[0]] + [m for m in materials[1:] if rng.random() < 0.7]
        visits: list[tuple[tuple[str, str, str], datetime]] = [(m, collected) for m in taken]
        if n % 3 == 0:
            visits.append((materials[0], collected + timedelta(days=180)))
        for (sample_type, kind, material), at in visits:
            specimens.append(_specimen(collection, donor, len(specimens), sample_type, kind, material, at, diagnosis))
    Specimen.objects.bulk_create(specimens)
    return len(specimens)


def _specimen(
    collection: Collection,
    donor: Donor,
    number: int,
    sample_type: str,
    kind: str,
    material: str,
    collected: datetime,
    diagnosis: str,
) -> Specimen:
    unit, quantity = ("mg", Decimal(50)) if kind == "solid" else ("mL", Decimal(2))
    return Specimen(
        biobank=collection.biobank,
        collection=collection,
        donor=donor,
        barcode=f"{BARCODE_PREFIX}-{collection.biobank_id}-{collection.code[:12].upper()}-{number:04d}",
        sample_type=sample_type,
        sprec_kind=kind,
        material_type=material,
        diagnosis=diagnosis,
        initial_quantity=quantity,
        quantity=quantity,
        unit=unit,
        collected_at=collected,
        received_at=collected + timedelta(hours=1),
        notes="demo cohort",
    )


def seed(context: DemoContext) -> Any:
    """``seed_demo``'s step: the cohorts, then every collection's facts (the specimens seeder is the last one that
    adds specimens, and the recompute reads this transaction's rows)."""
    from catalog.facts.engine import recompute_all

    seed_cohorts()
    recompute_all()
