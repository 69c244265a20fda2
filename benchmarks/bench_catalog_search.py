"""The public catalogue's faceted search at ~300 collections whose facts count 1M specimens, against a raw SQL
facet-count aggregate over the same rows.

Run from the repository root (``DATABASE_URL`` if set)::

    .venv/bin/python -m benchmarks.bench_catalog_search                          # 300 collections, 1M samples
    .venv/bin/python -m benchmarks.bench_catalog_search --collections 1000 --repeat 50

or through the runner as ``python -m benchmarks catalog_search``. A scratch database gets 20 biobanks with published
profiles and quality labels, a network of half of them, ``--collections`` published collections (one in ten a
sub-collection) with random MIABIS attributes, and their facts rows (the all-``*`` total, and marginals by sex,
age range, material and disease) adding up to ``--samples`` samples. The search reads the collections and the
facts' total rows, not specimens, so the specimens themselves are not created.

- The search: ``run_search`` (facet counts for every facet with the other facets applied, the page of 20, the
  sub-collections, the sizes) for a mix of searches (facets any/all, an ICD-10 chapter, an age range, a text query,
  sort by size), as the public; p50 and p95 of all runs. The same through ``GET /api/v1/catalog/collections/``
  with Django's test client (every middleware, the serialisation).
- Baseline in the same run: one raw SQL facet count (``unnest`` + ``GROUP BY``) of the material facet over the
  published collections with the same material filter — the least a facet count must read.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import Result, Target, benchmark
from benchmarks.bench_audit import machine, scratch_database

MATERIALS = ["PLASMA", "SERUM", "DNA", "RNA", "WHOLE_BLOOD", "TISSUE_FROZEN", "TISSUE_PARAFFIN_EMBEDDED", "URINE",
             "SALIVA", "PERIPHERAL_BLOOD_CELLS", "BUFFY_COAT", "FECES"]  # fmt: skip
DISEASES = ["C18", "C18.0", "C20", "C50", "C61", "C91", "C92", "E11", "I21", "I50", "J45", "K50", "K51", "G30",
            "F32", "M05", "N18", "U07.1", "ORPHA:558"]  # fmt: skip
STORAGE = ["temperatureLN", "temperature-60to-85", "temperature-18to-35", "temperatureRoom", "temperature2to10"]
TYPES = ["DISEASE_SPECIFIC", "HOSPITAL", "POPULATION_BASED", "COHORT", "LONGITUDINAL", "CASE_CONTROL"]
CATEGORIES = ["BIOLOGICAL_SAMPLES", "MEDICAL_RECORDS", "SURVEY_DATA", "IMAGING_DATA", "GENEALOGICAL_RECORDS"]
DUO = ["DUO:0000042", "DUO:0000006", "DUO:0000007"]
COUNTRIES = ["DE", "AT", "NL", "FR", "IT", "SE", "CZ", "PL"]
WORDS = ["tumour", "cohort", "resections", "follow-up", "children", "adults", "plasma", "archive", "registry", "trial"]
BASELINE_SQL = """
SELECT m, count(*) FROM catalog_collection c, unnest(c.materials) m
 WHERE c.state = 'published' AND NOT c.withdrawn AND c.materials && %s::varchar[]
 GROUP BY m
"""
SEARCHES = [
    "",
    "material=PLASMA&material=SERUM",
    "material=PLASMA&material=SERUM&material_match=all&sort=size",
    "diagnosis=chapter:II&country=DE&country=AT",
    "age_min=0&age_max=17&sex=FEMALE",
    "q=tumour&storage=temperatureLN",
    "q=colon&diagnosis=C15-C26&sort=size",
    "network=bbmri-eric:networkID:EU_bench&quality=iso-9001&data_use=DUO:0000042&data_category=SURVEY_DATA",
]


def build(collections: int, samples: int) -> None:
    from django.db import connection
    from django.utils import timezone

    from biobank.accounts import services as account_services
    from catalog.models import BiobankProfile, Collection, CollectionFact, Network, Person, QualityStandard

    rng = random.Random(12)
    biobanks = []
    for n in range(20):
        country = COUNTRIES[n % len(COUNTRIES)]
        biobank = account_services.biobank_create(
            actor=None, code=f"bench-{n:02d}", name=f"Bench biobank {n}", country=country
        )
        person = Person.objects.create(
            biobank=biobank, bbmri_id=f"bbmri-eric:contactID:{country}_b{n}", email=f"b{n}@example.org",
            country=country,
        )  # fmt: skip
        profile = BiobankProfile.objects.create(
            biobank=biobank, bbmri_id=f"bbmri-eric:ID:{country}_b{n}", description="Bench", juristic_person="B",
            contact=person, state="published",
        )  # fmt: skip
        QualityStandard.objects.create(biobank=profile, standard=rng.choice(["iso-9001", "ISO-20387-2018"]),
                                       assessment_level="accredited")  # fmt: skip
        biobanks.append((biobank, profile, person))
    network = Network.objects.create(
        bbmri_id="bbmri-eric:networkID:EU_bench", name="Bench network", description="Bench", contact=biobanks[0][2]
    )
    network.member_biobanks.set([b for b, _p, _c in biobanks[:10]])
    made: list[Collection] = []
    for n in range(collections):
        biobank, profile, person = biobanks[n % len(biobanks)]
        parent = made[n - 20] if n >= 20 and n % 10 == 0 and made[n - 20].biobank_id == biobank.pk else None
        low = rng.choice([0, 0, 18, 18, 40, 65])
        made.append(
            Collection.objects.create(
                biobank=biobank, code=f"c{n:05d}", name=f"Collection {n} {rng.choice(WORDS)}",
                description=" ".join(rng.sample(WORDS, 4)), bbmri_id=f"{profile.bbmri_id}:collection:c{n}",
                parent=parent, contact=person, country=biobank.country,
                sex=rng.sample(["FEMALE", "MALE"], rng.randint(1, 2)),
                age_low=low, age_high=low + rng.choice([17, 30, 50]), age_unit="YEAR",
                materials=rng.sample(MATERIALS, rng.randint(1, 4)), storage_temperatures=rng.sample(STORAGE, 2),
                diseases=rng.sample(DISEASES, rng.randint(0, 3)), collection_types=rng.sample(TYPES, 2),
                data_categories=rng.sample(CATEGORIES, 2), data_use=[rng.choice(DUO)],
                dataset_types=["Clinical dataset"], state="published",
            )
        )  # fmt: skip
    now = timezone.now()
    facts = []
    per = samples // collections
    for collection in made:
        total = rng.randint(per // 2, per * 3 // 2)
        donors = max(1, total // 3)
        rows = [("*", "*", "*", "*", total, donors)]
        rows += [(s, "*", "*", "*", total // 2, donors // 2) for s in ("FEMALE", "MALE")]
        rows += [("*", a, "*", "*", total // 3, donors // 3) for a in ("Adult", "Middle-aged", "Aged (65-79 years)")]
        rows += [("*", "*", m, "*", total // len(collection.materials), donors) for m in collection.materials]
        rows += [("*", "*", "*", d, total // 4, donors // 4) for d in collection.diseases]
        facts += [
            CollectionFact(collection=collection, sex=s, age_range=a, material_type=m, disease=d,
                           number_of_samples=n, number_of_donors=min(dn, n), computed_at=now)
            for s, a, m, d, n, dn in rows
        ]  # fmt: skip
    CollectionFact.objects.bulk_create(facts, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE catalog_collection; ANALYZE catalog_collectionfact; ANALYZE catalog_vocabularyterm")


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(repeat: int) -> dict[str, list[float] | int]:
    """Every search ``repeat`` times in-process and through the API, and the raw facet count: seconds of each."""
    from django.db import connection
    from django.http import QueryDict
    from django.test import Client

    from catalog.search import parse_params
    from catalog.search_results import run_search

    params = [parse_params(QueryDict(query)) for query in SEARCHES]
    client = Client()

    def search(index: int) -> float:
        start = time.perf_counter()
        run_search(params[index], user=None)
        return time.perf_counter() - start

    def api(index: int) -> float:
        start = time.perf_counter()
        response = client.get("/api/v1/catalog/collections/?" + SEARCHES[index])
        elapsed = time.perf_counter() - start
        assert response.status_code == 200, response.content[:300]
        return elapsed

    def bare() -> float:
        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(BASELINE_SQL, [["PLASMA", "SERUM"]])
            cursor.fetchall()
        return time.perf_counter() - start

    for index in range(len(SEARCHES)):  # warm caches (vocabularies, templates, the connection)
        search(index)
        api(index)
    counted: list[str] = []

    def count(execute, sql, parameters, many, context):
        counted.append(sql)
        return execute(sql, parameters, many, context)

    with connection.execute_wrapper(count):
        search(1)
    return {
        "searched": [search(i) for _ in range(repeat) for i in range(len(SEARCHES))],
        "api": [api(i) for _ in range(repeat) for i in range(len(SEARCHES))],
        "floor": [bare() for _ in range(repeat * len(SEARCHES))],
        "queries": len(counted),
    }


def run(collections: int = 300, samples: int = 1_000_000, repeat: int = 30) -> list[tuple[str, float, str]]:
    rows: list[tuple[str, float, str]] = []
    with scratch_database():
        build(collections, samples)
        m = measure(repeat)
        searched, through_api, floor = m["searched"], m["api"], m["floor"]
        assert isinstance(searched, list) and isinstance(through_api, list) and isinstance(floor, list)
        base = statistics.median(floor)
        label = f"{collections} collections, {samples:,} samples"
        rows.append((f"facet search ({label}): p50", statistics.median(searched) * 1000, "ms"))
        rows.append(("facet search: p95 (target <= 50 ms)", _percentile(searched, 0.95) * 1000, "ms"))
        rows.append(("API GET /api/v1/catalog/collections/: p50", statistics.median(through_api) * 1000, "ms"))
        rows.append(("API: p95", _percentile(through_api, 0.95) * 1000, "ms"))
        rows.append(("baseline: raw SQL facet count (material): p50", base * 1000, "ms"))
        rows.append(("facet search p50 / baseline", statistics.median(searched) / base, "x"))
        rows.append(("queries per search", float(m["queries"]), "queries"))
    return rows


@benchmark("catalog_search")
def catalog_search_benchmark(world) -> list[Result]:
    """The public catalogue's faceted search (p50, p95) against one raw SQL facet count over the same collections."""
    from catalog.models import Collection

    m = measure(repeat=10)
    searched, through_api, floor = m["searched"], m["api"], m["floor"]
    assert isinstance(searched, list) and isinstance(through_api, list) and isinstance(floor, list)
    queries = int(m["queries"])  # type: ignore[call-overload]
    size = f"{Collection.objects.count()} collections, {len(SEARCHES)} searches x 10"
    raw = "raw SQL facet count (material)"
    return [
        Result("facet search p50", size, statistics.median(searched), None, "", raw + " p50", statistics.median(floor),
               queries=queries),
        Result("facet search p95", size, _percentile(searched, 0.95), None, "", raw + " p95", _percentile(floor, 0.95),
               Target.at_most_ms(50), queries=queries),
        Result("GET /api/v1/catalog/collections/ p95", size, _percentile(through_api, 0.95), None, "",
               raw + " p95", _percentile(floor, 0.95), Target.at_most_ms(50)),
    ]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bench_catalog_search", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--collections", type=int, default=300)
    parser.add_argument("--samples", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "biobank.settings.dev")
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    print(f"Machine: {machine()}")
    print(
        "Command: python -m benchmarks.bench_catalog_search "
        f"--collections {args.collections} --samples {args.samples} --repeat {args.repeat}"
    )
    for measurement, value, unit in run(collections=args.collections, samples=args.samples, repeat=args.repeat):
        print(f"  {measurement:62} {value:14,.3f} {unit}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
