"""Building a data release of 100,000 specimens (issue 14, "Measured"): consent re-check, release pseudonyms, CSV,
XLSX and data dictionary, against a ``COPY (SELECT …) TO STDOUT`` of the same rows in the same run.

Run from the repository root (the embedded PostgreSQL, or ``DATABASE_URL`` if set)::

    .venv/bin/python -m benchmarks.bench_release_build                      # 100,000 specimens of 20,000 donors
    .venv/bin/python -m benchmarks.bench_release_build --specimens 20000 --donors 4000

or through the runner as ``python -m benchmarks release_build``. A scratch database gets the donors of
``bench_gate.build`` (the demo MII broad consent, every tenth donor withdrew the biomaterial module, every seventh
merged into the next), one collection with the specimens (plasma, set-based), and an active request (HMB) with its
resource granted, every attribute approved and a running entitlement. Then:

- ``release_build`` (the Celery job's body): one query for the specimens, ``gate.permitted_many`` for every donor,
  ``pseudonyms_for_many`` for donors and specimens, the three files written and stored, ``ReleaseDonor`` rows.
  Target: ≤ 30 s for 100,000 specimens.
- Baseline in the same run: ``COPY`` of the same specimen rows and columns (joined with donor and collection) to
  CSV, what any export must at least do; the ratio says what consent, pseudonyms and XLSX add.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import Result, Target, benchmark
from benchmarks.bench_audit import machine, scratch_database

COPY_SQL = """
COPY (
    SELECT s.id, s.donor_id, d.sex, d.birth_year, s.material_type, s.sample_type, s.sprec_code, s.diagnosis,
           s.collected_at, s.storage_temperature_c, s.quantity, s.unit, c.code
      FROM specimens_specimen s
      JOIN consent_donor d ON d.id = s.donor_id
      JOIN catalog_collection c ON c.id = s.collection_id
     WHERE s.collection_id = {collection} AND s.status IN ('available', 'reserved') AND s.material_type = 'Plasma'
     ORDER BY s.id
) TO STDOUT WITH CSV HEADER
"""


def build(specimens: int, donors: int) -> tuple[int, int]:
    """The donors, the specimens and a granted resource; ``(resource id, collection id)``."""
    from datetime import timedelta

    from django.utils import timezone

    from access_requests.choices import RELEASE_ATTRIBUTES
    from access_requests.models import AccessRequest, Entitlement, RequestResource
    from benchmarks.bench_gate import build as build_donors
    from biobank.accounts.models import Biobank, User
    from catalog.services import collection_create
    from specimens.models import Specimen

    donor_ids = build_donors(donors)
    biobank = Biobank.objects.get(code="bench-gate")
    collection = collection_create(actor=None, biobank=biobank, code="bench-release", name="Bench release")
    collected = timezone.now() - timedelta(days=400)
    chunk = 20_000
    for start in range(0, specimens, chunk):
        Specimen.objects.bulk_create(
            [
                Specimen(
                    biobank=biobank,
                    collection=collection,
                    donor_id=donor_ids[n % len(donor_ids)],
                    barcode=f"BENCH-{n:08d}",
                    sample_type="PL1",
                    sprec_kind="fluid",
                    material_type="Plasma",
                    initial_quantity=Decimal("1.5"),
                    quantity=Decimal("1.5"),
                    unit="mL",
                    collected_at=collected,
                    storage_temperature_c=Decimal("-80"),
                    sprec_code="PL1-PED-A-B-N-A-D",
                )
                for n in range(start, min(specimens, start + chunk))
            ],
            batch_size=chunk,
        )
    researcher = User.objects.create_user(email="bench-researcher@example.org", password=None, is_researcher=True)
    request = AccessRequest.objects.create(
        researcher=researcher,
        title="Bench",
        purpose_kind="hmb",
        status="active",
        criteria={"material_types": ["Plasma"]},
    )
    resource = RequestResource.objects.create(
        request=request, biobank=biobank, status="access_granted", approved_attributes=list(RELEASE_ATTRIBUTES)
    )
    resource.collections.add(collection)
    today = timezone.localdate()
    Entitlement.objects.create(
        resource=resource, user=researcher, starts_on=today, ends_on=today + timedelta(days=365), granted_by=researcher
    )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE specimens_specimen")
    return resource.pk, collection.pk


def run(specimens: int = 100_000, donors: int = 20_000) -> list[tuple[str, float, str]]:
    from django.conf import settings
    from django.db import connection

    from access_requests.models import Release, RequestResource
    from access_requests.services.releases import release_build
    from biobank.crypto.keys import new_key_line

    rows: list[tuple[str, float, str]] = []
    with tempfile.TemporaryDirectory() as tmp, scratch_database():
        keys = Path(tmp) / "pseudonym.keys"
        keys.write_text(new_key_line("b1") + "\n")
        keys.chmod(0o600)
        settings.PSEUDONYM_KEY_FILE = keys
        settings.MEDIA_ROOT = Path(tmp) / "media"
        resource_id, collection_id = build(specimens, donors)
        resource = RequestResource.objects.get(pk=resource_id)

        start = time.perf_counter()
        with connection.cursor() as cursor:
            out = io.StringIO()
            cursor.copy_expert(COPY_SQL.format(collection=int(collection_id)), out)
        copy_seconds = time.perf_counter() - start

        release = Release.objects.create(
            resource=resource, attributes=list(resource.approved_attributes), requested_by=resource.request.researcher
        )
        start = time.perf_counter()
        built = release_build(release_id=release.pk)
        build_seconds = time.perf_counter() - start
        assert built is not None and built.status == "ready", built and built.error
        rows.append((f"baseline: COPY {out.getvalue().count(chr(10)) - 1:,} rows to CSV", copy_seconds, "s"))
        rows.append(
            (
                f"release build: {built.specimen_count:,} specimens, {built.donor_count:,} donors "
                f"({built.excluded_donors:,} excluded)",
                build_seconds,
                "s",
            )
        )
        rows.append(("release build / COPY", build_seconds / copy_seconds, "x"))
    return rows


@benchmark("release_build")
def release_build_benchmark(world) -> list[Result]:
    """A release of every specimen of one biobank (consent re-check, pseudonyms, CSV/XLSX) against a COPY."""
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    from access_requests.choices import RELEASE_ATTRIBUTES
    from access_requests.models import AccessRequest, Entitlement, Release, RequestResource
    from access_requests.services.releases import release_build
    from biobank.accounts.models import User
    from catalog.models import Collection

    biobank = world.biobank()
    researcher = User.objects.get(email="researcher@bench.example.org")
    request = AccessRequest.objects.create(
        researcher=researcher, title="Bench release", purpose_kind="hmb", status="active", criteria={}
    )
    resource = RequestResource.objects.create(
        request=request, biobank=biobank, status="access_granted", approved_attributes=list(RELEASE_ATTRIBUTES)
    )
    ids = list(Collection.objects.filter(biobank=biobank).values_list("pk", flat=True))
    resource.collections.add(*ids)
    today = timezone.localdate()
    Entitlement.objects.create(
        resource=resource, user=researcher, starts_on=today, ends_on=today + timedelta(days=365), granted_by=researcher
    )
    sql = COPY_SQL.replace("s.collection_id = {collection}", "s.collection_id = ANY(ARRAY[{collection}]::bigint[])")
    sql = sql.replace(" AND s.material_type = 'Plasma'", "").format(collection=",".join(map(str, ids)))
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.copy_expert(sql, io.StringIO())
    copy_seconds = time.perf_counter() - start
    release = Release.objects.create(resource=resource, attributes=list(RELEASE_ATTRIBUTES), requested_by=researcher)
    start = time.perf_counter()
    built = release_build(release_id=release.pk)
    seconds = time.perf_counter() - start
    assert built is not None and built.status == "ready", built and built.error
    count = max(1, built.specimen_count)
    per_100k = Target("<= 30 s per 100,000 specimens", lambda result: result.seconds / count * 100_000 <= 30)
    return [
        Result("release build (consent re-check, pseudonyms, CSV, XLSX)",
               f"{built.specimen_count:,} specimens, {built.donor_count:,} donors", seconds, count / seconds,
               "specimens/s", "COPY of the same rows to CSV", copy_seconds, per_100k),
    ]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bench_release_build", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--specimens", type=int, default=100_000)
    parser.add_argument("--donors", type=int, default=20_000)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "biobank.settings.dev")
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False
    print(f"Machine: {machine()}")
    print(f"Command: python -m benchmarks.bench_release_build --specimens {args.specimens} --donors {args.donors}")
    for measurement, value, unit in run(specimens=args.specimens, donors=args.donors):
        print(f"  {measurement:70} {value:14,.3f} {unit}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
