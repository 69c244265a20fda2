"""Feasibility before/after on one copy of a generated network: the code of any checkout, with the indexes of the
fourth pass or of the session before it (docs/performance.md, "Fourth pass").

Run with this repository's virtualenv, naming the checkout whose code to time and a cached template::

    .venv/bin/python benchmarks/ab_feasibility.py --code /path/to/old/checkout --indexes before \\
        --template biobank_bench_tpl_1m_s1_<key>
    .venv/bin/python benchmarks/ab_feasibility.py --code . --indexes after --template biobank_bench_tpl_1m_s1_<key>

The template is copied (``CREATE DATABASE … TEMPLATE``) and dropped afterwards. ``before`` puts back the
``(collection, status)`` specimen index and the policy states' foreign-key index in place of the two covering ones;
both then get ``VACUUM (ANALYZE)``. Two requests (HMB, serum from every collection; and the same for women aged 40 or
more) are made, each counted once to warm up and then five times: best and median printed, with the counts, which
must agree between before and after.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BEFORE = [
    "CREATE INDEX specimen_collection_status ON specimens_specimen (collection_id, status)",
    "DROP INDEX specimen_coll_status_material",
    "CREATE INDEX consent_policystate_policy_id_b6762809 ON consent_policystate (policy_id)",
    "DROP INDEX policystate_policy_cover",
]
CRITERIA: list[dict[str, Any]] = [
    {"material_types": ["SERUM"]},
    {"material_types": ["SERUM"], "sexes": ["female"], "age_min": 40},
]


def measure(label: str) -> None:
    from django.utils import timezone

    from access_requests import feasibility as f
    from access_requests.models import AccessRequest, RequestResource
    from biobank.accounts.models import Biobank, User
    from catalog.models import Collection

    for criteria in CRITERIA:
        request = AccessRequest.objects.create(
            researcher=User.objects.get(email="researcher@bench.example.org"), title="A/B feasibility",
            purpose_kind="hmb", status="submitted", submitted_at=timezone.now(), criteria=criteria,
            material=[{"material_type": "SERUM", "amount": "0.5", "unit": "ml", "samples": 200}],
        )  # fmt: skip
        for biobank in Biobank.objects.order_by("pk"):
            RequestResource.objects.create(request=request, biobank=biobank).collections.add(
                *Collection.objects.filter(biobank=biobank)
            )
        request = AccessRequest.objects.prefetch_related("resources__collections").get(pk=request.pk)
        f.feasibility(request=request)
        times, rows = [], []
        for _ in range(5):
            start = time.perf_counter()
            rows = f.feasibility(request=request)
            times.append(time.perf_counter() - start)
        counted = (sum(r.specimens for r in rows), sum(r.donors for r in rows))
        print(f"{label:6} {criteria!s:70} best {min(times):.3f} s, median {sorted(times)[2]:.3f} s; {counted}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--code", type=Path, required=True, help="checkout whose code is timed")
    parser.add_argument("--template", required=True, help="a cached generated network (biobank_bench_tpl_…)")
    parser.add_argument("--indexes", choices=["before", "after"], required=True)
    args = parser.parse_args()
    sys.path.insert(0, str(args.code.resolve()))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "biobank.settings.dev")
    import django

    django.setup()
    from django.db import connection

    from benchmarks import world

    with tempfile.TemporaryDirectory() as tmp:
        world.configure(Path(tmp))
        original, copy = world._current(), f"bench_ab_feasibility_{os.getpid()}"
        world._admin(f'CREATE DATABASE "{copy}" TEMPLATE "{args.template}"')
        try:
            world._use(copy)
            with connection.cursor() as cursor:
                for statement in BEFORE if args.indexes == "before" else []:
                    cursor.execute(statement)
                cursor.execute("VACUUM (ANALYZE) specimens_specimen")
                cursor.execute("VACUUM (ANALYZE) consent_policystate")
            measure(args.indexes)
        finally:
            world._use(original)
            world._drop(copy)
    return 0


if __name__ == "__main__":
    sys.exit(main())
