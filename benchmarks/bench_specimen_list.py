"""The specimen list page (50 a page) of a biobank with many specimens, against a bare SQL read of the same rows.

Run from the repository root (the embedded PostgreSQL, or ``DATABASE_URL`` if set)::

    .venv/bin/python -m benchmarks.bench_specimen_list                    # 20,000 specimens, 30 pages
    .venv/bin/python -m benchmarks.bench_specimen_list --specimens 200000

or through the runner as ``python -m benchmarks specimen_list``. A scratch database gets one biobank, a collection,
100 donors and ``--specimens`` specimens written set-based (the list reads them; how they were made does not
matter here), and a technician past the second sign-in step.

- The page: ``GET /specimens/<code>/`` through Django's test client (every middleware, the selector, the template),
  first page and a page deep in the keyset (``?before=``); the median of the repeats; the number of queries.
- Baseline in the same run: one ``SELECT`` of the same 50 rows with the same joins (specimen, collection, donor,
  box) by a bare cursor — what any list must at least read.
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

from benchmarks import QueryCount, Result, benchmark
from benchmarks.bench_audit import machine, scratch_database

BASELINE_SQL = """
SELECT s.id, s.barcode, s.sample_type, s.material_type, s.status, s.lineage, s.quantity, s.unit, s.sprec_code,
       s.collected_at, s.created_at, s.box_row, s.box_column, c.code, d.pid, b.code
  FROM specimens_specimen s
  JOIN catalog_collection c ON c.id = s.collection_id
  JOIN consent_donor d ON d.id = s.donor_id
  LEFT JOIN specimens_storageunit b ON b.id = s.box_id
 WHERE s.biobank_id = %s AND (%s::bigint IS NULL OR s.id < %s)
 ORDER BY s.created_at DESC, s.id DESC
 LIMIT 50
"""


def build(specimens: int):
    from decimal import Decimal

    from django.utils import timezone

    from biobank.accounts import services as account_services
    from biobank.accounts.models import User
    from biobank.pseudonyms.checkchar import check_char
    from catalog.services import collection_create
    from consent.models import Donor
    from specimens.models import Specimen

    biobank = account_services.biobank_create(actor=None, code="bench-list", name="Bench", country="DE")
    technician = User.objects.create_user(email="bench-tech@example.org", password=None)
    account_services.membership_grant(actor=None, biobank=biobank, user=technician, role="technician")
    collection = collection_create(actor=None, biobank=biobank, code="bench", name="Bench")
    donors = Donor.objects.bulk_create(
        Donor(biobank=biobank, pid=(data := f"{n:010d}".translate(str.maketrans("01", "AB"))) + check_char(data))
        for n in range(100)
    )
    now = timezone.now()
    Specimen.objects.bulk_create(
        (
            Specimen(
                biobank=biobank,
                collection=collection,
                donor=donors[n % len(donors)],
                barcode=f"BENCH{n:09d}",
                sample_type="SER",
                sprec_kind="fluid",
                material_type="Serum",
                initial_quantity=Decimal("0.5"),
                quantity=Decimal("0.5"),
                unit="mL",
                sprec_code="SER-SST-A-B-N-A-E",
                collected_at=now,
            )
            for n in range(specimens)
        ),
        batch_size=10_000,
    )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE specimens_specimen; ANALYZE consent_donor")
    return biobank, technician


def run(specimens: int = 20_000, repeat: int = 30) -> list[tuple[str, float, str]]:
    from django.db import connection
    from django.test import Client

    from biobank.accounts.mfa import MFA_SESSION_KEY, VERIFIED
    from specimens.models import Specimen

    rows: list[tuple[str, float, str]] = []
    with scratch_database():
        biobank, technician = build(specimens)
        client = Client()
        client.force_login(technician)
        session = client.session
        session[MFA_SESSION_KEY] = VERIFIED
        session.save()
        deep = (
            Specimen.objects.filter(biobank=biobank)
            .order_by("-created_at", "-id")
            .values_list("id", flat=True)[specimens // 2]
        )

        def page(before: int | None) -> float:
            url = f"/specimens/{biobank.code}/" + (f"?before={before}" if before else "")
            start = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - start
            assert response.status_code == 200, response.status_code
            return elapsed

        def bare(before: int | None) -> float:
            start = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute(BASELINE_SQL, [biobank.pk, before, before])
                assert len(cursor.fetchall()) == 50
            return time.perf_counter() - start

        page(None)  # warm the template cache and the connection
        counted: list[str] = []

        def count(execute, sql, params, many, context):
            counted.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            page(None)
        for label, before in (("first page", None), ("a page half-way down", deep)):
            shown = statistics.median(page(before) for _ in range(repeat))
            floor = statistics.median(bare(before) for _ in range(repeat))
            rows.append((f"specimen list, {label}, {specimens:,} specimens: page", shown * 1000, "ms"))
            rows.append(("  baseline: bare SELECT of the same 50 rows", floor * 1000, "ms"))
            rows.append(("  page / baseline", shown / floor, "x"))
        rows.append(("queries per list page", float(len(counted)), "queries"))
    return rows


def technician_client(biobank):
    """A test client signed in (past the second step) as a technician of ``biobank``, made once."""
    from django.test import Client

    from biobank.accounts import services as account_services
    from biobank.accounts.mfa import MFA_SESSION_KEY, VERIFIED
    from biobank.accounts.models import User

    email = f"tech-{biobank.code}@bench.example.org"
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=None)
        account_services.membership_grant(actor=None, biobank=biobank, user=user, role="technician")
    client = Client()
    client.force_login(user)
    session = client.session
    session[MFA_SESSION_KEY] = VERIFIED
    session.save()
    return client


@benchmark("specimen_list")
def specimen_list_benchmark(world) -> list[Result]:
    """The specimen list page, first and half-way down, against a bare SELECT of the same 50 rows."""
    from django.db import connection

    from specimens.models import Specimen

    biobank = world.biobank()
    client = technician_client(biobank)
    specimens = Specimen.objects.filter(biobank=biobank).count()
    deep = (
        Specimen.objects.filter(biobank=biobank)
        .order_by("-created_at", "-id")
        .values_list("id", flat=True)[specimens // 2]
    )

    def page(before: int | None) -> float:
        start = time.perf_counter()
        response = client.get(f"/specimens/{biobank.code}/" + (f"?before={before}" if before else ""))
        assert response.status_code == 200, response.status_code
        return time.perf_counter() - start

    def bare(before: int | None) -> float:
        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(BASELINE_SQL, [biobank.pk, before, before])
            cursor.fetchall()
        return time.perf_counter() - start

    page(None)
    with QueryCount() as queries:
        page(None)
    results = []
    for label, before in (("first page", None), ("a page half-way down", deep)):
        shown = statistics.median(page(before) for _ in range(10))
        floor = statistics.median(bare(before) for _ in range(10))
        results.append(Result(f"specimen list page (web), {label}", f"50 of {specimens:,} specimens", shown, 1 / shown,
                              "pages/s", "bare SELECT of the same 50 rows", floor, queries=len(queries)))  # fmt: skip
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bench_specimen_list", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--specimens", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "biobank.settings.dev")
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    print(f"Machine: {machine()}")
    print(f"Command: python -m benchmarks.bench_specimen_list --specimens {args.specimens} --repeat {args.repeat}")
    for measurement, value, unit in run(specimens=args.specimens, repeat=args.repeat):
        print(f"  {measurement:62} {value:14,.3f} {unit}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
