"""Catalogue facts: full recompute of every collection and incremental recompute after a 1,000-specimen import,
each beside the raw SQL aggregate over the same rows (``count(*) GROUP BY collection``) measured in the same run.

Run from the repository root (``DATABASE_URL`` or the embedded PostgreSQL)::

    .venv/bin/python -m benchmarks.bench_catalog_facts --scale 1m    # 1,000,000 specimens, 300 collections
    .venv/bin/python -m benchmarks.bench_catalog_facts               # 100,000 specimens

or through the runner as ``python -m benchmarks catalog_facts`` (100k). A scratch database gets one biobank, 300
collections (30 of them sub-collections of others), one donor per ten specimens with a sex and a birth date, and the
specimens written set-based with ``INSERT ... SELECT generate_series`` (not through the services): six material
types, several specimens of a donor sharing a collection time (aliquots of one sample), 90 % available, 5 %
reserved, 5 % consumed, a diagnosis on most.

- Full: ``catalog.facts.engine.recompute_all`` (delete and insert every collection's star rows in one
  transaction). Baseline: ``SELECT collection_id, count(*) ... GROUP BY collection_id`` over the counted rows.
- Incremental: 1,000 specimens inserted in one statement into two collections (as the import's set-based insert;
  the trigger marks the collections), then ``recompute_dirty`` (the task's work: those collections and their
  parents). Baseline: the same ``count(*) GROUP BY`` restricted to the recomputed collections.
Each figure is the median of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import Result, Target, benchmark
from benchmarks.bench_audit import machine, scratch_database

SCALES = {"100k": 100_000, "1m": 1_000_000}
COLLECTIONS = 300
SUB_COLLECTIONS = 30
PER_DONOR = 10

DONORS_SQL = """
INSERT INTO consent_donor (biobank_id, subject_ref, pid, sex, birth_year, birth_month, status, created_at, updated_at)
SELECT %(biobank)s, gen_random_uuid(), 'BF' || lpad(n::text, 9, '0'),
       (ARRAY['female', 'male', 'unknown', 'female', 'male'])[1 + n %% 5],
       CASE WHEN n %% 50 = 0 THEN NULL ELSE 1930 + n %% 80 END,
       CASE WHEN n %% 50 = 0 OR n %% 4 = 0 THEN NULL ELSE 1 + n %% 12 END,
       'active', now(), now()
FROM generate_series(0, %(donors)s - 1) n
"""

SPECIMENS_SQL = """
INSERT INTO specimens_specimen (biobank_id, collection_id, donor_id, barcode, sample_type, sprec_kind,
    material_type, lineage, status, diagnosis, initial_quantity, quantity, unit, concentration_unit,
    freeze_thaw_count, primary_container, collection_type, centrifugation, second_centrifugation,
    storage_container, storage_method, fixation, sprec_code, sprec_entered, notes, collected_at,
    created_at, updated_at)
SELECT %(biobank)s, c.ids[1 + (%(first_donor)s + n / 10) %% %(collections)s], d.ids[1 + n / 10],
    %(prefix)s || n, 'SER', 'fluid',
    (ARRAY['Serum', 'Plasma', 'DNA', 'Tissue (fresh frozen)', 'Whole blood', 'Urine'])[1 + (n / 3) %% 6],
    'primary',
    CASE WHEN n %% 20 = 0 THEN 'consumed' WHEN n %% 20 = 1 THEN 'reserved' ELSE 'available' END,
    (ARRAY['', 'C18', 'C50', 'K51', 'U07.1', 'C91', 'E11', 'I10'])[1 + (%(first_donor)s + n / 10) %% 8],
    1, 1, 'mL', '', 0, '', '', '', '', '', '', '', '', false, '',
    timestamptz '2015-01-01 08:00+00' + ((n / 10) %% 3000) * interval '1 day' + ((n / 3) %% 2) * interval '90 days',
    now(), now()
FROM generate_series(0, %(count)s - 1) n,
     (SELECT array_agg(id ORDER BY id) AS ids FROM catalog_collection WHERE biobank_id = %(biobank)s) c,
     (SELECT array_agg(id ORDER BY id) AS ids FROM consent_donor
      WHERE biobank_id = %(biobank)s AND pid >= %(donor_from)s) d
"""

COUNT_SQL = """
SELECT collection_id, count(*) FROM specimens_specimen
WHERE status IN ('available', 'reserved') AND (%(ids)s::bigint[] IS NULL OR collection_id = ANY(%(ids)s::bigint[]))
GROUP BY collection_id
"""


def build(specimens: int):
    from django.db import connection

    from biobank.accounts import services as account_services
    from catalog.models import Collection

    biobank = account_services.biobank_create(actor=None, code="bench-facts", name="Bench facts", country="DE")
    made = Collection.objects.bulk_create(
        Collection(biobank=biobank, code=f"c{n:03d}", name=f"Collection {n}") for n in range(COLLECTIONS)
    )
    for n in range(SUB_COLLECTIONS):  # c000..c029 become sub-collections of c030..c059
        Collection.objects.filter(pk=made[n].pk).update(parent=made[SUB_COLLECTIONS + n])
    donors = specimens // PER_DONOR
    with connection.cursor() as cursor:
        cursor.execute(DONORS_SQL, {"biobank": biobank.pk, "donors": donors + 100})
        cursor.execute(
            SPECIMENS_SQL,
            {
                "biobank": biobank.pk,
                "count": specimens,
                "collections": COLLECTIONS,
                "first_donor": 0,
                "prefix": "BF",
                "donor_from": "BF",
            },
        )
        cursor.execute("ANALYZE specimens_specimen; ANALYZE consent_donor; ANALYZE catalog_collection")
    return biobank, donors


def _median(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run(specimens: int = 100_000, repeat: int = 3) -> list[tuple[str, float, str]]:
    from django.db import connection

    from catalog.facts.engine import recompute_all, recompute_dirty
    from catalog.models import CollectionFact, FactsRecompute

    rows: list[tuple[str, float, str]] = []
    with scratch_database():
        start = time.perf_counter()
        biobank, donors = build(specimens)
        rows.append((f"generate {specimens:,} specimens, {donors:,} donors", time.perf_counter() - start, "s"))

        def count(ids):
            with connection.cursor() as cursor:
                cursor.execute(COUNT_SQL, {"ids": ids})
                cursor.fetchall()

        full = _median(recompute_all, repeat)
        rows.append((f"full recompute, {COLLECTIONS} collections", full, "s"))
        rows.append(("  baseline: count(*) GROUP BY collection", _median(lambda: count(None), repeat), "s"))
        rows.append(("  fact rows", float(CollectionFact.objects.count()), "rows"))

        batches = iter(range(1000))

        def change_and_recompute() -> float:
            batch = next(batches)
            with connection.cursor() as cursor:
                # 1,000 specimens of 100 existing donors into two collections, one INSERT (the import's shape)
                cursor.execute(
                    SPECIMENS_SQL.replace("(%(first_donor)s + n / 10) %% %(collections)s", "(n / 500)"),
                    {
                        "biobank": biobank.pk,
                        "count": 1000,
                        "collections": COLLECTIONS,
                        "first_donor": 0,
                        "prefix": f"BFI{batch}-",
                        "donor_from": "BF",
                    },
                )
            marked = list(FactsRecompute.objects.values_list("collection_id", flat=True))
            assert len(marked) == 2, marked
            start = time.perf_counter()
            done = recompute_dirty()
            elapsed = time.perf_counter() - start
            assert done is not None and not FactsRecompute.objects.exists()
            touched.update(marked)
            return elapsed

        touched: set[int] = set()
        incremental = statistics.median(change_and_recompute() for _ in range(max(repeat, 3)))
        rows.append(("incremental recompute after a 1,000-specimen import", incremental, "s"))
        ids = sorted(touched)
        rows.append(
            (f"  baseline: count(*) GROUP BY over the {len(ids)} collections", _median(lambda: count(ids), repeat), "s")
        )
    return rows


@benchmark("catalog_facts")
def catalog_facts_benchmark(world) -> list[Result]:
    """Catalogue facts: full recompute, and incremental after 1,000 specimens change, against count(*) GROUP BY."""
    from django.db import connection

    from catalog.facts.engine import recompute_all, recompute_dirty
    from catalog.models import Collection
    from specimens.models import Specimen

    def count(ids: list[int] | None) -> None:
        with connection.cursor() as cursor:
            cursor.execute(COUNT_SQL, {"ids": ids})
            cursor.fetchall()

    recompute_dirty()
    specimens, collections = Specimen.objects.count(), Collection.objects.count()
    full, floor = _median(recompute_all, 3), _median(lambda: count(None), 3)
    two = list(Collection.objects.filter(biobank=world.biobank()).order_by("code").values_list("pk", flat=True)[:2])
    times = []
    for _ in range(3):  # 1,000 specimens of two collections reserved (one UPDATE; the trigger marks them), then back
        ids = list(
            Specimen.objects.filter(collection_id__in=two, status="available")
            .order_by("pk")
            .values_list("pk", flat=True)[:1000]
        )
        Specimen.objects.filter(pk__in=ids).update(status="reserved")
        start = time.perf_counter()
        recompute_dirty()
        times.append(time.perf_counter() - start)
        Specimen.objects.filter(pk__in=ids).update(status="available")
        recompute_dirty()
    grouped = "count(*) GROUP BY collection"
    return [
        Result("facts: full recompute", f"{specimens:,} specimens, {collections} collections", full, specimens / full,
               "specimens/s", grouped, floor, Target.at_most_seconds(10)),
        Result("facts: incremental recompute after 1,000 specimens changed", f"{len(ids):,} specimens, 2 collections",
               statistics.median(times), None, "", grouped + " over the 2", _median(lambda: count(two), 3),
               Target.at_most_seconds(1)),
    ]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bench_catalog_facts", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--scale", choices=sorted(SCALES), default="100k")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "biobank.settings.dev")
    import django

    django.setup()
    print(f"Machine: {machine()}")
    print(f"Command: python -m benchmarks.bench_catalog_facts --scale {args.scale} --repeat {args.repeat}")
    for measurement, value, unit in run(specimens=SCALES[args.scale], repeat=args.repeat):
        print(f"  {measurement:62} {value:14,.3f} {unit}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
