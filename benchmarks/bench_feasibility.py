"""Feasibility count of an access request over 100,000 or 1,000,000 specimens (issue 14, "Measured": ≤ 1 s at 1M),
beside the raw SQL ``count(*)`` / ``count(distinct donor_id)`` of the same criteria without the consent gate.

Run from the repository root (``DATABASE_URL`` names the server; a scratch database is made and dropped)::

    .venv/bin/python -m benchmarks.bench_feasibility                  # 100,000 specimens, 10,000 donors
    .venv/bin/python -m benchmarks.bench_feasibility --scale 1m       # 1,000,000 specimens, 100,000 donors
    .venv/bin/python -m benchmarks.bench_feasibility --scale 1m --explain

or through the runner as ``python -m benchmarks feasibility`` (100k). A scratch database gets one biobank with the
demo MII broad consent and three collections; one donor per ten specimens (``bench_catalog_facts``' donors), each
with a signed consent (``Consent`` rows bulk-created) whose acts are written set-based: every policy of every
module accepted, except that one donor in thirteen declined the biomaterial module and one in 47 (about 2 %) later
withdrew it. The specimens are ``bench_catalog_facts``' (six material types, 90 % available, a diagnosis per donor,
three of eight ICD-10 codes in chapter C). The request (status submitted, purpose HMB) asks for plasma with a
diagnosis starting with ``C`` from the biobank's three collections; a second, broad one for plasma only (most donors
reach the gate).

- Figure: ``access_requests.feasibility.feasibility(request=...)`` — the criteria query grouped by collection and
  donor, the collections' DUO terms and ``consent.gate_sql.permitted_donor_ids`` for the matching donors; warm,
  best of ``--repeat``.
- Baseline in the same run: the raw SQL ``count(*), count(DISTINCT donor_id)`` of the same criteria (collections,
  available, donor not merged, material, diagnosis prefix) without the gate.
- Parts: the gate alone for the matching donors (``permitted_donor_ids``); ``--explain`` prints ``EXPLAIN ANALYZE``
  of the gate statement.

Target (issue 14): ≤ 1 s at 1,000,000 specimens.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import Result, Target, benchmark
from benchmarks.bench_audit import machine, scratch_database
from benchmarks.bench_catalog_facts import DONORS_SQL, PER_DONOR, SPECIMENS_SQL
from benchmarks.bench_gate import best

SCALES = {"100k": 100_000, "1m": 1_000_000}
COLLECTIONS = 3
TARGET_SECONDS = 1.0
MATERIAL = "PLASMA"  # the Directory code the request asks for (MIABIS "Plasma")
DIAGNOSIS = "C"

# One act per module and policy of the template for every consent; the biomaterial module declined by one donor in
# thirteen (coprime with the eight diagnoses, so the two do not correlate). Values are parameters; the module/policy
# pairs come in as two arrays.
ACTS_SQL = """
INSERT INTO consent_policystate (consent_id, donor_id, module_id, policy_id, origin, withdrawal_level, state,
    valid_from, valid_to, recorded_at, recorded_by_id, reason)
SELECT c.id, c.donor_id, mp.module_id, mp.policy_id, 'signature', '',
       CASE WHEN mp.module_id = %(biomaterial)s AND c.donor_id %% 13 = 5 THEN 'declined' ELSE 'accepted' END,
       c.signed_on, NULL, now(), %(user)s, ''
  FROM consent_consent c, unnest(%(modules)s::bigint[], %(policies)s::bigint[]) AS mp(module_id, policy_id)
 WHERE c.biobank_id = %(biobank)s
"""

# One donor in 47 (about 2 %) withdrew the biomaterial module later (only those who had accepted it).
WITHDRAWALS_SQL = """
INSERT INTO consent_policystate (consent_id, donor_id, module_id, policy_id, origin, withdrawal_level, state,
    valid_from, valid_to, recorded_at, recorded_by_id, reason)
SELECT c.id, c.donor_id, %(biomaterial)s, p.policy_id, 'withdrawal', '', 'withdrawn',
       c.signed_on + 30, NULL, now(), %(user)s, 'Letter'
  FROM consent_consent c, unnest(%(policies)s::bigint[]) AS p(policy_id)
 WHERE c.biobank_id = %(biobank)s AND c.donor_id %% 47 = 7 AND c.donor_id %% 13 <> 5
"""

BASELINE_SQL = """
SELECT count(*), count(DISTINCT s.donor_id)
  FROM specimens_specimen s JOIN consent_donor d ON d.id = s.donor_id
 WHERE s.collection_id = ANY(%s) AND s.status = 'available' AND d.merged_into_id IS NULL
   AND s.material_type = ANY(%s) AND s.diagnosis LIKE %s
"""


def build(specimens: int) -> int:
    """Donors with consents, the specimens and a submitted request; the request's id."""
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    from access_requests.models import AccessRequest, RequestResource
    from biobank.accounts import services as account_services
    from biobank.accounts.models import User
    from catalog.models import Collection
    from consent.demo_consent import seed_demo_consent
    from consent.models import Consent, Donor, Module

    biobank = account_services.biobank_create(actor=None, code="bench-feas", name="Bench feasibility", country="DE")
    template = seed_demo_consent(biobank=biobank, actor=None)
    type(template).objects.filter(pk=template.pk).update(signed_at=timezone.now())
    user = User.objects.create_user(email="bench-feas@example.org", password=None)
    collections = Collection.objects.bulk_create(
        Collection(biobank=biobank, code=f"feas{n}", name=f"Feasibility collection {n}") for n in range(COLLECTIONS)
    )
    donors = specimens // PER_DONOR
    signed = timezone.localdate() - timedelta(days=400)
    with connection.cursor() as cursor:
        cursor.execute(DONORS_SQL, {"biobank": biobank.pk, "donors": donors})
    donor_ids = list(Donor.objects.filter(biobank=biobank).order_by("pk").values_list("pk", flat=True))
    now = timezone.now()
    Consent.objects.bulk_create(
        (
            Consent(
                biobank=biobank,
                donor_id=donor_id,
                template=template,
                language="en",
                source="electronic",
                status="valid",
                signed_on=signed,
                recorded_by=user,
                countersigned_by=user,
                countersigned_at=now,
                informed_by=user,
                informed_place="Bench",
            )
            for donor_id in donor_ids
        ),
        batch_size=10_000,
    )
    modules = list(Module.objects.filter(templates=template).prefetch_related("policies"))
    pairs = [(module.pk, policy.pk) for module in modules for policy in module.policies.all()]
    biomaterial = next(m for m in modules if m.code == "biomaterial")
    with connection.cursor() as cursor:
        params: dict[str, Any] = {"biobank": biobank.pk, "user": user.pk, "biomaterial": biomaterial.pk}
        cursor.execute(ACTS_SQL, {**params, "modules": [m for m, _p in pairs], "policies": [p for _m, p in pairs]})
        cursor.execute(WITHDRAWALS_SQL, {**params, "policies": [p.pk for p in biomaterial.policies.all()]})
        cursor.execute(
            SPECIMENS_SQL,
            {
                "biobank": biobank.pk,
                "count": specimens,
                "collections": COLLECTIONS,
                "first_donor": 0,
                "prefix": "FEAS",
                "donor_from": "BF",
            },
        )
        cursor.execute(
            "ANALYZE specimens_specimen; ANALYZE consent_donor; ANALYZE consent_consent; "
            "ANALYZE consent_policystate; ANALYZE consent_policy"
        )
    request = AccessRequest.objects.create(
        researcher=User.objects.create_user(
            email="bench-feas-researcher@example.org", password=None, is_researcher=True
        ),
        title="Bench feasibility",
        purpose_kind="hmb",
        status="submitted",
        submitted_at=now,
        criteria={"material_types": [MATERIAL], "diagnoses": [DIAGNOSIS]},
        material=[{"material_type": MATERIAL, "amount": "0.5", "unit": "ml", "samples": 200}],
    )
    resource = RequestResource.objects.create(request=request, biobank=biobank)
    resource.collections.add(*collections)
    return request.pk


def broad_copy(request_id: int) -> int:
    """The same request with the material criterion only (no diagnosis): most donors reach the gate."""
    from access_requests.models import AccessRequest, RequestResource

    narrow = AccessRequest.objects.get(pk=request_id)
    broad = AccessRequest.objects.create(
        researcher=narrow.researcher,
        title="Bench feasibility, broad",
        purpose_kind=narrow.purpose_kind,
        status=narrow.status,
        submitted_at=narrow.submitted_at,
        criteria={"material_types": [MATERIAL]},
        material=narrow.material,
    )
    for resource in narrow.resources.all():
        RequestResource.objects.create(request=broad, biobank=resource.biobank).collections.add(
            *resource.collections.all()
        )
    return broad.pk


def measure(request: Any, label: str, repeat: int, explain: bool) -> list[tuple[str, float, str]]:
    """feasibility() for ``request`` beside the raw count of its criteria, and the gate alone for its donors."""
    from django.db import connection, transaction

    from access_requests.feasibility import DUO_PURPOSE, _material_types, feasibility
    from consent import gate_sql

    collection_ids = [c.pk for r in request.resources.all() for c in r.collections.all()]
    materials = _material_types(request)
    pattern = f"{request.criteria['diagnoses'][0]}%" if request.criteria.get("diagnoses") else "%"

    def baseline() -> tuple[int, int]:
        with connection.cursor() as cursor:
            cursor.execute(BASELINE_SQL, [collection_ids, materials, pattern])
            return cursor.fetchone()

    def count() -> tuple[int, int]:
        result = feasibility(request=request)
        return sum(r.specimens for r in result), sum(r.donors for r in result)

    matched_specimens, matched_donors = baseline()
    permitted_specimens, permitted_donors = count()
    if not 0 < permitted_donors < matched_donors or not 0 < permitted_specimens < matched_specimens:
        raise SystemExit(f"unexpected counts: {permitted_specimens=} {permitted_donors=} {matched_specimens=}")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT s.donor_id FROM specimens_specimen s JOIN consent_donor d ON d.id = s.donor_id "
            "WHERE s.collection_id = ANY(%s) AND s.status = 'available' AND d.merged_into_id IS NULL "
            "AND s.material_type = ANY(%s) AND s.diagnosis LIKE %s",
            [collection_ids, materials, pattern],
        )
        donor_ids = [row[0] for row in cursor.fetchall()]
    ask: dict[str, Any] = {
        "duo_purpose": DUO_PURPOSE[request.purpose_kind],
        "data_class": "biomaterial",
        "action": "use",
    }

    floor = best(baseline, repeat)
    figure = best(count, repeat)
    gate = best(lambda: gate_sql.permitted_donor_ids(donor_ids=donor_ids, **ask), repeat)
    rows = [
        (f"{label}: baseline raw count, {matched_specimens:,} specimens / {matched_donors:,} donors", floor, "s"),
        (f"{label}: feasibility(), {permitted_specimens:,} specimens / {permitted_donors:,} donors", figure, "s"),
        (f"{label}:   of which the gate alone ({len(donor_ids):,} donors)", gate, "s"),
        (f"{label}: feasibility / baseline", figure / floor, "x"),
        (f"{label}: target <= {TARGET_SECONDS:.0f} s: {'met' if figure <= TARGET_SECONDS else 'NOT met'}", figure, "s"),
    ]
    if explain:
        sql, params = gate_sql.permitted_donor_ids_sql(
            donors_sql="SELECT unnest(%s::bigint[])", donors_params=[donor_ids], **ask
        )
        with transaction.atomic(), connection.cursor() as cursor:
            gate_sql.jit_off(cursor)
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
            print(f"-- {label}: EXPLAIN ANALYZE of the gate statement")
            print("\n".join(row[0] for row in cursor.fetchall()), flush=True)
    return rows


def run(specimens: int = 100_000, repeat: int = 3, explain: bool = False) -> list[tuple[str, float, str]]:
    import time

    from access_requests.models import AccessRequest

    rows: list[tuple[str, float, str]] = []
    with scratch_database():
        start = time.perf_counter()
        narrow = build(specimens)
        broad = broad_copy(narrow)
        rows.append(
            (f"generate {specimens:,} specimens, {specimens // PER_DONOR:,} donors", time.perf_counter() - start, "s")
        )
        for label, pk in (("plasma + C", narrow), ("plasma only", broad)):
            request = AccessRequest.objects.prefetch_related("resources__collections").get(pk=pk)
            rows.extend(measure(request, label, repeat, explain))
    return rows


@benchmark("feasibility")
def feasibility_benchmark(world) -> list[Result]:
    """Feasibility count of an HMB request for serum over every collection against the raw count of its criteria."""
    from django.db import connection
    from django.utils import timezone

    from access_requests.feasibility import _material_types, feasibility
    from access_requests.models import AccessRequest, RequestResource
    from biobank.accounts.models import User
    from catalog.models import Collection
    from specimens.models import Specimen

    request = AccessRequest.objects.create(
        researcher=User.objects.get(email="researcher@bench.example.org"), title="Bench feasibility",
        purpose_kind="hmb", status="submitted", submitted_at=timezone.now(), criteria={"material_types": ["SERUM"]},
        material=[{"material_type": "SERUM", "amount": "0.5", "unit": "ml", "samples": 200}],
    )  # fmt: skip
    for biobank in world.biobanks():
        RequestResource.objects.create(request=request, biobank=biobank).collections.add(
            *Collection.objects.filter(biobank=biobank)
        )
    request = AccessRequest.objects.prefetch_related("resources__collections").get(pk=request.pk)
    collection_ids = [c.pk for r in request.resources.all() for c in r.collections.all()]

    def baseline() -> tuple[int, int]:
        with connection.cursor() as cursor:
            cursor.execute(BASELINE_SQL, [collection_ids, _material_types(request), "%"])
            return cursor.fetchone()

    def count() -> tuple[int, int]:
        result = feasibility(request=request)
        return sum(r.specimens for r in result), sum(r.donors for r in result)

    (matched, _donors), (permitted, _permitted_donors) = baseline(), count()
    specimens = Specimen.objects.count()
    floor, figure = best(baseline, 3), best(count, 3)
    return [
        Result("feasibility count (criteria, consent gate, DUO)",
               f"{specimens:,} specimens: {matched:,} match, {permitted:,} permitted", figure, specimens / figure,
               "specimens/s", "raw count of the criteria, no gate", floor, Target.at_most_seconds(TARGET_SECONDS)),
    ]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_feasibility", description=__doc__.split("\n")[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="100k")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of the gate statement")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "biobank.settings.dev")
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False
    print(f"Machine: {machine()}")
    explain = " --explain" if args.explain else ""
    print(f"Command: python -m benchmarks.bench_feasibility --scale {args.scale} --repeat {args.repeat}{explain}")
    for measurement, value, unit in run(specimens=SCALES[args.scale], repeat=args.repeat, explain=args.explain):
        print(f"  {measurement:72} {value:14,.3f} {unit}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
