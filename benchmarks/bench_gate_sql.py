"""The consent gate in one SQL statement (``consent.gate_sql``) against the Python fold and a bare count of the acts.

Run from the repository root (``DATABASE_URL`` names the server; a scratch database is made and dropped)::

    .venv/bin/python -m benchmarks.bench_gate_sql                              # 10k, 100k and 200k donors
    .venv/bin/python -m benchmarks.bench_gate_sql --donors 10000 --repeat 3

or through the runner as ``python -m benchmarks gate_sql`` (10,000 donors). The data are those of
``benchmarks.bench_gate`` (the demo MII broad consent, one signed consent per donor with an act per module and
policy, every tenth donor withdrew the biomaterial module, every seventh is merged into the next one), built afresh
for each size. The question is the DUO one of ``bench_gate``: HMB, material, use.

- ``gate_sql.permitted_donor_ids`` for the donor ids (passed as one array), and the same answer embedded as a
  subquery in a ``count(*)`` over the biobank's donors (what a feasibility count does — no ids leave PostgreSQL);
- ``gate.permitted_many`` for the same ids (the Python fold), once per size beyond 10,000 (it is the slow one);
- baseline: a bare ``SELECT count(*)`` of the same donors' acts.

Both gates must give the same set of permitted donors; the run stops if they do not.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import Result, benchmark
from benchmarks.bench_audit import machine, scratch_database
from benchmarks.bench_gate import best, build

ASK: dict[str, Any] = {"duo_purpose": "HMB", "data_class": "material"}


def run(donors: int = 10_000, repeat: int = 3) -> list[tuple[str, float, str]]:
    from django.db import connection, transaction

    from consent import gate, gate_sql

    rows: list[tuple[str, float, str]] = []
    with scratch_database():
        ids = build(donors)
        with connection.cursor() as cursor:
            cursor.execute("SELECT biobank_id FROM consent_donor WHERE id = %s", [ids[0]])
            biobank_id = cursor.fetchone()[0]

        def baseline() -> None:
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM consent_policystate WHERE donor_id = ANY(%s)", [ids])
                cursor.fetchone()

        def embedded() -> int:
            sql, params = gate_sql.permitted_donor_ids_sql(
                donors_sql="SELECT id FROM consent_donor WHERE biobank_id = %s", donors_params=[biobank_id], **ASK
            )
            with transaction.atomic(), connection.cursor() as cursor:
                gate_sql.jit_off(cursor)
                cursor.execute(f"SELECT count(*) FROM consent_donor d WHERE d.id IN ({sql})", params)
                return cursor.fetchone()[0]

        in_sql = gate_sql.permitted_donor_ids(donor_ids=ids, **ASK)
        in_python = {d for d, r in gate.permitted_many(donors=ids, **ASK).items() if r.allowed}
        if in_sql != in_python:
            raise SystemExit(f"gate_sql and permitted_many differ on {len(in_sql ^ in_python)} donors")
        if embedded() != len(in_sql):
            raise SystemExit("the embedded count differs from permitted_donor_ids")
        floor = best(baseline, repeat)
        sql_ids = best(lambda: gate_sql.permitted_donor_ids(donor_ids=ids, **ASK), repeat)
        sql_count = best(embedded, repeat)
        python = best(lambda: gate.permitted_many(donors=ids, **ASK), repeat if donors <= 10_000 else 1)
        rows.append((f"baseline: SELECT count(*) of the acts of {donors:,} donors", floor * 1000, "ms"))
        rows.append(
            (f"gate_sql.permitted_donor_ids, {donors:,} donors ({len(in_sql):,} permitted)", sql_ids * 1000, "ms")
        )
        rows.append((f"gate_sql embedded in count(*) over the biobank's {donors:,} donors", sql_count * 1000, "ms"))
        rows.append((f"gate.permitted_many (Python fold), {donors:,} donors", python * 1000, "ms"))
        rows.append(("permitted_donor_ids / baseline", sql_ids / floor, "x"))
        rows.append(("permitted_many / permitted_donor_ids", python / sql_ids, "x"))
    return rows


@benchmark("gate_sql")
def gate_sql_benchmark(world) -> list[Result]:
    """The consent gate in SQL for every donor of a biobank, against a bare count of their acts."""
    from django.db import connection

    from consent import gate_sql
    from consent.models import Donor

    ids = list(Donor.objects.filter(biobank=world.biobank()).values_list("pk", flat=True))

    def baseline() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM consent_policystate WHERE donor_id = ANY(%s)", [ids])
            cursor.fetchone()

    floor = best(baseline, 3)
    seconds = best(lambda: gate_sql.permitted_donor_ids(donor_ids=ids, **ASK), 3)
    return [Result("consent gate in SQL (permitted_donor_ids), DUO question", f"{len(ids):,} donors", seconds,
                   len(ids) / seconds, "donors/s", "bare count(*) of the donors' acts", floor)]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_gate_sql", description=__doc__.split("\n")[0])
    parser.add_argument("--donors", type=int, nargs="+", default=[10_000, 100_000, 200_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "biobank.settings.dev")
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False
    print(f"Machine: {machine()}")
    sizes = " ".join(map(str, args.donors))
    print(f"Command: python -m benchmarks.bench_gate_sql --donors {sizes} --repeat {args.repeat}")
    for donors in args.donors:
        for measurement, value, unit in run(donors=donors, repeat=args.repeat):
            print(f"  {measurement:72} {value:14,.3f} {unit}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
