"""Bulk import of specimens: a generated CSV of N rows (default 100,000; ``--scale 1m``), dry run and commit, against
a raw COPY of the same rows into the same table in the same run.

Run from the repository root (the embedded PostgreSQL, or ``DATABASE_URL`` if set)::

    .venv/bin/python -m benchmarks.bench_import               # 100,000 rows
    .venv/bin/python -m benchmarks.bench_import --scale 1m    # 1,000,000 rows

or through the runner as ``python -m benchmarks import``. A scratch database gets one biobank, one collection and
N/10 donors; every row is a serum tube with all its pre-analytical facts (SPREC derived), a scanned barcode, and a
collection and reception time (one ``received`` event each).

- dry run: what the task ``specimens.import_check`` does (``services.imports.prepare``): ``check_file`` over the
  whole file (read, every cell converted, SPREC, the three set-based look-ups) and the converted rows kept;
- commit: what ``specimens.import_commit`` does in its transaction — the prepared rows COPYed into the staging
  table and re-checked set-based against the database, ``INSERT … SELECT`` of specimens and their events, and one
  signed audit outbox row per specimen by COPY;
- baseline: the same specimen rows (exported from the staging join) COPYed straight into ``specimens_specimen``
  with its deferred foreign keys checked (``SET CONSTRAINTS ALL IMMEDIATE``, as a commit would), then rolled back —
  what any import of these rows must at least pay;
- drain: chaining the N outbox rows into the audit log afterwards (the drain must keep pace).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import Result, Target, benchmark
from benchmarks.bench_audit import machine, scratch_database

SCALES = {"100k": 100_000, "1m": 1_000_000}


def build(rows: int) -> tuple[object, bytes]:
    """The biobank and a CSV of ``rows`` serum tubes for N/10 donors."""
    from biobank.accounts import services as account_services
    from biobank.pseudonyms.checkchar import check_char, display
    from catalog.services import collection_create
    from consent.models import Donor

    biobank = account_services.biobank_create(actor=None, code="bench-import", name="Bench", country="DE")
    collection_create(actor=None, biobank=biobank, code="serum", name="Serum")
    donors = Donor.objects.bulk_create(
        Donor(biobank=biobank, pid=(data := f"{n:010d}".translate(str.maketrans("01", "AB"))) + check_char(data))
        for n in range(max(1, rows // 10))
    )
    return biobank, csv_rows([display(donor.pid) for donor in donors], "serum", rows)


def csv_rows(pids: list[str], collection: str, rows: int, prefix: str = "BENCH") -> bytes:
    """``rows`` serum tubes of the donors ``pids`` (display form) in ``collection``, as an import CSV."""
    import csv

    from specimens.imports.columns import HEADER

    fixed = {
        "collection": collection,
        "sample_type": "SER",
        "unit": "mL",
        "primary_container": "SST",
        "pre_centrifugation_temperature_c": "21",
        "centrifugation": "done",
        "centrifugation_temperature_c": "20",
        "centrifugation_duration_min": "10",
        "centrifugation_g_force": "2000",
        "centrifugation_braking": "yes",
        "second_centrifugation": "none",
        "post_centrifugation_temperature_c": "4",
        "storage_container": "cryotube-1-2ml",
        "storage_method": "programmable-freezing",
        "storage_temperature_c": "-150",
    }
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    for n in range(rows):
        row = {
            **fixed,
            "barcode": f"{prefix}{n:08d}",
            "donor_pid": pids[n % len(pids)],
            "quantity": ("0.5", "1", "0.25", "2")[n % 4],
            "collection_time": f"2024-05-{1 + n % 28:02d}T08:{n % 60:02d}:00+02:00",
            "reception_time": f"2024-05-{1 + n % 28:02d}T10:{n % 60:02d}:00+02:00",
            "pre_centrifugation_delay_min": str(30 + n % 300),
            "post_centrifugation_delay_min": str(n % 90),
        }
        writer.writerow([row.get(name, "") for name in HEADER])
    return buffer.getvalue().encode()


class _Rollback(Exception):
    pass


def baseline(biobank, data: bytes) -> tuple[float, int]:
    """Raw COPY of the same specimen rows into ``specimens_specimen`` (rolled back): seconds, rows."""
    from django.db import transaction

    from specimens.imports import commit as staging
    from specimens.imports.check import check_file

    seconds, count = 0.0, 0
    try:
        with transaction.atomic():
            cursor = staging.raw_cursor()
            staging.staging_create(cursor)
            writer = staging.StagingWriter(cursor, biobank)
            report = check_file(data=data, file_format="csv", biobank=biobank, sink=writer)
            writer.close()
            staging.keys_create(cursor, biobank=biobank, report=report)
            select = staging.insert_specimens_sql()
            columns, query = select.split("SELECT", 1)
            columns = columns.split("(", 1)[1].rsplit(")", 1)[0]
            params = {"biobank": biobank.pk, "blocked": "consent_blocked", "available": "available", "user": None}
            text = io.StringIO()
            cursor.copy_expert(cursor.mogrify("COPY (SELECT" + query + ") TO STDOUT", params).decode(), text)
            text.seek(0)
            count = report.rows
            start = time.perf_counter()
            cursor.copy_expert(f"COPY specimens_specimen ({columns}) FROM STDIN", text)
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred foreign keys, as a commit checks them
            seconds = time.perf_counter() - start
            raise _Rollback
    except _Rollback:
        pass
    return seconds, count


def measure(biobank, data: bytes, rows: int) -> dict[str, float]:
    """Dry run, raw COPY baseline, commit and drain of ``data`` (``rows`` rows) for ``biobank``: seconds of each."""
    from django.db import connection, transaction

    from biobank.audit import services as audit_services
    from biobank.audit.models import AuditOutbox
    from specimens.models import ImportJob, Specimen
    from specimens.services import imports

    before = Specimen.objects.count()
    uid = uuid.uuid4()
    job = ImportJob.objects.create(
        uid=uid,
        biobank=biobank,
        file=f"specimens/imports/{biobank.pk}/{uid}.csv",
        file_name="bench.csv",
        file_format="csv",
        file_size=len(data),
        status="validating",
        file_sha256=hashlib.sha256(data).hexdigest(),
    )
    start = time.perf_counter()
    report = imports.prepare(job, data)  # what the dry-run task does: the whole check, the rows kept
    dry = time.perf_counter() - start
    assert report.clean, report.problems[:5]
    floor, copied = baseline(biobank, data)
    assert copied == rows
    with connection.cursor() as cursor:  # the rolled-back rows would otherwise slow the import's unique checks
        cursor.execute("VACUUM specimens_specimen")
    ImportJob.objects.filter(pk=job.pk).update(status="committing")
    job.refresh_from_db()
    read, imports._read = imports._read, lambda job: data  # type: ignore[assignment]  # the file is in memory here
    schedule = audit_services.schedule_drain, imports.schedule_drain
    audit_services.schedule_drain = imports.schedule_drain = lambda: None  # type: ignore[assignment]
    try:
        while AuditOutbox.objects.exists():  # the drain below counts this import's rows only
            audit_services.audit_drain()
        start = time.perf_counter()
        with transaction.atomic():
            written = imports._commit(job, None)
        commit = time.perf_counter() - start
        assert written == rows == Specimen.objects.count() - before == AuditOutbox.objects.count()
        start = time.perf_counter()
        drained = 0
        while AuditOutbox.objects.exists():
            drained += audit_services.audit_drain()
        drain = time.perf_counter() - start
    finally:
        imports._read = read  # type: ignore[assignment]
        audit_services.schedule_drain, imports.schedule_drain = schedule  # type: ignore[assignment]
    return {"dry": dry, "floor": floor, "commit": commit, "drain": drain, "drained": drained}


def run(rows: int = 100_000) -> list[tuple[str, float, str]]:
    from django.conf import settings

    out: list[tuple[str, float, str]] = []
    with scratch_database(), tempfile.TemporaryDirectory() as media:
        settings.MEDIA_ROOT = media  # the prepared rows of the dry run are written next to the (absent) upload
        biobank, data = build(rows)
        out.append((f"file: {rows:,} rows", len(data) / 1e6, "MB"))
        m = measure(biobank, data, rows)
        dry, commit, floor, drain, drained = m["dry"], m["commit"], m["floor"], m["drain"], m["drained"]
        out += [
            ("dry run (whole file, every check)", rows / dry, "rows/s"),
            ("commit (re-check, COPY, INSERT…SELECT, events, audit)", rows / commit, "rows/s"),
            ("baseline: raw COPY into specimens_specimen", rows / floor, "rows/s"),
            ("commit / raw COPY", floor / commit, "x"),
            ("dry run + commit", rows / (dry + commit), "rows/s"),
            ("seconds: dry run, commit, raw COPY", 0.0, f"{dry:.2f} s, {commit:.2f} s, {floor:.2f} s"),
            ("audit drain of the outbox rows", drained / drain if drain else 0.0, "rows/s"),
        ]
    return out


@benchmark("import")
def import_benchmark(world) -> list[Result]:
    """Import as many serum tubes as the network holds (at most 1M) against a raw COPY of the same rows."""
    from biobank.pseudonyms.checkchar import display
    from catalog.models import Collection
    from consent.models import Donor

    rows = min(world.plan.specimens, 1_000_000)
    biobank = world.biobank()
    pids = [display(pid) for pid in Donor.objects.filter(biobank=biobank).order_by("pk").values_list("pid", flat=True)]
    collection = Collection.objects.filter(biobank=biobank).order_by("code").values_list("code", flat=True)[0]
    m = measure(biobank, csv_rows(pids, collection, rows, prefix="IMPORT"), rows)
    size = f"{rows:,} rows"
    copy = "raw COPY into specimens_specimen"
    return [
        Result("import: dry run (whole file, every check)", size, m["dry"], rows / m["dry"], "rows/s"),
        Result("import: commit", size, m["commit"], rows / m["commit"], "rows/s", copy, m["floor"],
               Target.at_least(50_000, "rows/s")),
        Result("import: commit against raw COPY", size, m["commit"], rows / m["commit"], "rows/s", copy, m["floor"],
               Target.ratio_at_least(0.5)),
        Result("audit drain of the import's outbox rows", f"{m['drained']:,.0f} events", m["drain"],
               m["drained"] / m["drain"] if m["drain"] else None, "events/s",
               target=Target.at_least(50_000, "events/s")),
    ]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_import", description=__doc__.split("\n")[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="100k")
    parser.add_argument("--rows", type=int, default=None, help="any other number of rows")
    args = parser.parse_args(argv)
    rows = args.rows or SCALES[args.scale]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "biobank.settings.dev")
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False
    print(f"Machine: {machine()}")
    print(f"Command: python -m benchmarks.bench_import --rows {rows}")
    for measurement, value, unit in run(rows=rows):
        print(f"  {measurement:58} {value:14,.1f} {unit}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
