"""The box map page of a full 10 x 10 box, against reading the same 100 rows with bare SQL.

Run from the repository root (the embedded PostgreSQL, or ``DATABASE_URL`` if set)::

    .venv/bin/python -m benchmarks.bench_boxmap                 # 10 x 10, best of 50
    .venv/bin/python -m benchmarks.bench_boxmap --rows 32 --columns 48 --repeat 20

or through the runner as ``python -m benchmarks boxmap``. A scratch database (``bench_audit_<pid>``) gets a biobank, a
technician, a site → room → freezer → rack → box chain made by the storage services, and one specimen per cell
(rows written set-based, then placed by ``specimens_place_bulk``, the real bulk service).

- Baseline in the same run: ``SELECT`` of the cell columns of the box's specimens with a bare cursor — what any box
  map must at least read.
- ``box_map()``: the selector alone (one query, the grid built in Python).
- The page: ``GET /specimens/<code>/storage/<id>/`` through the whole stack (middleware, session, navigation,
  template with 100 cells, legend), as the signed-in technician; the number of queries is printed too.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import QueryCount, Result, benchmark
from benchmarks.bench_audit import machine, scratch_database


def build(rows: int, columns: int) -> tuple[object, object]:
    """A full box and a technician of its biobank."""
    from biobank.accounts import services as account_services
    from biobank.accounts.choices import Role
    from biobank.accounts.models import User
    from biobank.pseudonyms.checkchar import check_char
    from catalog import services as catalog_services
    from consent.models import Donor
    from specimens.models import Specimen
    from specimens.services import specimens_place_bulk, storage_unit_create

    biobank = account_services.biobank_create(actor=None, code="bench-boxmap", name="Bench", country="DE")
    user = User.objects.create_user(email="bench-tech@example.org", password=None)
    account_services.membership_grant(actor=None, biobank=biobank, user=user, role=Role.TECHNICIAN)
    collection = catalog_services.collection_create(actor=None, biobank=biobank, code="bench", name="Bench")
    donor = Donor.objects.create(biobank=biobank, pid="ABCDEFGHJK" + check_char("ABCDEFGHJK"))
    parent = None
    for kind in ("site", "room", "freezer", "rack"):
        parent = storage_unit_create(actor=None, biobank=biobank, parent=parent, kind=kind, name=kind, code=kind)
    box = storage_unit_create(
        actor=None, biobank=biobank, parent=parent, kind="box", name="Box", code="BOX", rows=rows, columns=columns
    )
    statuses, types = ("available", "available", "reserved", "consent_blocked"), ("SER", "PL1", "DNA", "RNA", "BUF")
    specimens = Specimen.objects.bulk_create(
        Specimen(
            biobank=biobank,
            collection=collection,
            donor=donor,
            barcode=f"BENCH-{n:06d}",
            sample_type=types[n % len(types)],
            sprec_kind="fluid",
            status=statuses[n % len(statuses)],
            initial_quantity=Decimal(1),
            quantity=Decimal(1),
            unit="mL",
        )
        for n in range(rows * columns)
    )
    specimens_place_bulk(actor=None, box=box, placements=[(s.barcode, None) for s in specimens])
    return box, user


def timed(function, repeat: int) -> tuple[float, float]:
    """(best, median) wall-clock seconds of ``repeat`` calls."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def run(rows: int = 10, columns: int = 10, repeat: int = 50) -> list[tuple[str, float, str]]:
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from biobank.accounts.mfa import MFA_SESSION_KEY, VERIFIED
    from specimens.selectors import box_map

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    results: list[tuple[str, float, str]] = []
    with scratch_database():
        box, user = build(rows, columns)
        client = Client()
        client.force_login(user)
        session = client.session
        session[MFA_SESSION_KEY] = VERIFIED
        session.save()
        url = f"/specimens/{box.biobank.code}/storage/{box.pk}/"  # type: ignore[attr-defined]
        first = client.get(url)
        assert first.status_code == 200 and first.content.count(b"cell__barcode") == rows * columns, first.status_code

        def baseline() -> None:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT id, barcode, status, sample_type, box_row, box_column FROM specimens_specimen "
                    "WHERE box_id = %s",
                    [box.pk],  # type: ignore[attr-defined]
                )
                cursor.fetchall()

        def page() -> None:
            client.get(url)

        queries: list[str] = []

        def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            page()
        free_url = f"{url}free/"
        assert client.get(free_url).status_code == 200
        floor, floor_median = timed(baseline, repeat)
        selector, selector_median = timed(lambda: list(box_map(box).cells()), repeat)  # type: ignore[arg-type]
        whole, whole_median = timed(page, repeat)
        layout, layout_median = timed(lambda: client.get(free_url), repeat)
        cells = f"{rows} x {columns} box, {rows * columns} specimens"
        results += [
            (f"baseline: bare SELECT of the cells ({cells}), best", floor * 1000, "ms"),
            ("baseline, median", floor_median * 1000, "ms"),
            ("box_map() selector (1 query + grid), best", selector * 1000, "ms"),
            ("box_map() selector, median", selector_median * 1000, "ms"),
            ("box map page, whole request, best", whole * 1000, "ms"),
            ("box map page, whole request, median", whole_median * 1000, "ms"),
            ("page / baseline (best)", whole / floor, "x"),
            ("same layout without the map (free-cells page), best", layout * 1000, "ms"),
            ("same layout without the map, median", layout_median * 1000, "ms"),
            ("the map's share of the page (best page - best layout)", (whole - layout) * 1000, "ms"),
            ("queries per page (session, roles, navigation, box, map)", len(queries), "queries"),
        ]
    return results


@benchmark("boxmap")
def boxmap_benchmark(world) -> list[Result]:
    """The box map page of a full 9 x 9 box, against a bare SQL read of its cells."""
    from django.db import connection

    from benchmarks.bench_specimen_list import technician_client
    from specimens.models import StorageUnit

    biobank = world.biobank()
    box = StorageUnit.objects.get(biobank=biobank, code="box0")
    client = technician_client(biobank)
    url = f"/specimens/{biobank.code}/storage/{box.pk}/"
    assert client.get(url).status_code == 200

    def baseline() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, barcode, status, sample_type, box_row, box_column "
                "FROM specimens_specimen WHERE box_id = %s",
                [box.pk],
            )
            cursor.fetchall()

    with QueryCount() as queries:
        client.get(url)
    _best, page = timed(lambda: client.get(url), 20)
    _best, floor = timed(baseline, 20)
    cells = f"{box.rows} x {box.columns} box"
    return [Result("box map page (median)", cells, page, 1 / page, "pages/s", "bare SELECT of the cells", floor,
                   queries=len(queries))]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_boxmap", description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10)
    parser.add_argument("--columns", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "biobank.settings.dev")
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False
    print(f"Machine: {machine()}")
    print(
        f"Command: python -m benchmarks.bench_boxmap --rows {args.rows} --columns {args.columns} --repeat {args.repeat}"
    )
    for measurement, value, unit in run(rows=args.rows, columns=args.columns, repeat=args.repeat):
        print(f"  {measurement:62} {value:14,.3f} {unit}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
