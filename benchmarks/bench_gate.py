"""The consent gate's bulk form: 10,000 donors answered at once, against reading the same acts with bare SQL.

Run from the repository root (the embedded PostgreSQL, or ``DATABASE_URL`` if set)::

    .venv/bin/python -m benchmarks.bench_gate                  # 10,000 donors, best of 5
    .venv/bin/python -m benchmarks.bench_gate --donors 50000 --repeat 3

or through the runner as ``python -m benchmarks gate``. A scratch database (``bench_gate_<pid>``) gets the demo MII
broad-consent catalogue; one consent is signed through the service (it freezes the template), then every donor gets
a signed consent with one act per module and policy (11 policies), set-based; every tenth donor has withdrawn the
biomaterial module and every seventh is merged into the next one.

- ``gate.permitted_many`` for all donors: a policy question (``biomat-use``) and a DUO question (HMB, material, use).
  Three queries whatever the number of donors (pinned in ``tests/consent/test_gate.py``); this measures the time.
- Baseline in the same run: ``SELECT`` of the same act columns for the same donors with a bare cursor — what any
  gate must at least read. The ratio says what the fold, the merge families and the DUO matching add.
- One donor: the median of 200 single ``gate.permitted`` calls (a partner system's ``consent/check``).
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

from benchmarks import Result, benchmark
from benchmarks.bench_audit import machine, scratch_database


def build(donors: int) -> list[int]:
    """Donors with a signed broad consent each (acts set-based), withdrawals and merges; their ids."""
    from django.db import connection
    from django.utils import timezone

    from biobank.accounts import services as account_services
    from biobank.pseudonyms.checkchar import check_char
    from consent.demo_consent import seed_demo_consent
    from consent.models import Consent, Donor, Module, PolicyState

    biobank = account_services.biobank_create(actor=None, code="bench-gate", name="Bench", country="DE")
    template = seed_demo_consent(biobank=biobank, actor=None)
    today = timezone.localdate()
    people = Donor.objects.bulk_create(
        Donor(biobank=biobank, pid=(data := f"{n:010d}".translate(str.maketrans("01", "AB"))) + check_char(data))
        for n in range(donors)
    )
    with connection.cursor() as cursor:  # a user to record them (a service would; set-based here)
        cursor.execute("SELECT id FROM accounts_user LIMIT 1")
        row = cursor.fetchone()
    if row is None:
        from biobank.accounts.models import User

        row = (User.objects.create_user(email="bench@example.org", password=None).pk,)
    Template = type(template)
    Template.objects.filter(pk=template.pk).update(signed_at=timezone.now())
    consents = Consent.objects.bulk_create(
        Consent(
            biobank=biobank,
            donor=donor,
            template=template,
            language="en",
            source="electronic",
            status="valid",
            signed_on=today,
            recorded_by_id=row[0],
            countersigned_by_id=row[0],
            countersigned_at=timezone.now(),
            informed_by_id=row[0],
            informed_place="Bench",
        )
        for donor in people
    )
    modules = list(Module.objects.filter(templates=template).prefetch_related("policies"))
    acts = [
        PolicyState(
            consent=consent,
            donor_id=consent.donor_id,
            module=module,
            policy=policy,
            state="accepted",
            valid_from=today,
            recorded_at=timezone.now(),
        )
        for consent in consents
        for module in modules
        for policy in module.policies.all()
    ]
    biomaterial = next(m for m in modules if m.code == "biomaterial")
    acts += [
        PolicyState(
            consent=consent,
            donor_id=consent.donor_id,
            module=biomaterial,
            policy=policy,
            origin="withdrawal",
            state="withdrawn",
            valid_from=today,
            recorded_at=timezone.now(),
            reason="Letter",
        )
        for consent in consents[::10]
        for policy in biomaterial.policies.all()
    ]
    PolicyState.objects.bulk_create(acts, batch_size=20_000)
    for source, target in zip(people[::7], people[1::7], strict=False):
        Donor.objects.filter(pk=source.pk).update(status="merged", merged_into=target)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE consent_policystate; ANALYZE consent_donor; ANALYZE consent_policy")
    return [donor.pk for donor in people]


def best(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def run(donors: int = 10_000, repeat: int = 5) -> list[tuple[str, float, str]]:
    from django.db import connection

    from consent import gate

    rows: list[tuple[str, float, str]] = []
    with scratch_database():
        ids = build(donors)

        def baseline() -> None:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT id, donor_id, consent_id, policy_id, origin, state, valid_from, valid_to, recorded_at "
                    "FROM consent_policystate WHERE donor_id = ANY(%s)",
                    [ids],
                )
                cursor.fetchall()

        floor = best(baseline, repeat)
        policy = best(lambda: gate.permitted_many(donors=ids, policy="biomat-use"), repeat)
        duo = best(lambda: gate.permitted_many(donors=ids, duo_purpose="HMB", data_class="material"), repeat)
        singles = []
        for donor in ids[:200]:
            start = time.perf_counter()
            gate.permitted(donor=donor, duo_purpose="HMB", data_class="material")
            singles.append(time.perf_counter() - start)
        rows.append((f"baseline: SELECT every act of {donors:,} donors", floor * 1000, "ms"))
        rows.append((f"gate, policy question, {donors:,} donors", policy * 1000, "ms"))
        rows.append((f"gate, DUO question (HMB, material), {donors:,} donors", duo * 1000, "ms"))
        rows.append(("gate DUO / baseline", duo / floor, "x"))
        rows.append(("gate, one donor (median of 200)", statistics.median(singles) * 1000, "ms"))
    return rows


@benchmark("gate")
def gate_benchmark(world) -> list[Result]:
    """The consent gate (Python fold) for up to 10,000 donors of a biobank, against reading their acts."""
    from django.db import connection

    from consent import gate
    from consent.models import Donor

    ids = list(Donor.objects.filter(biobank=world.biobank()).order_by("pk").values_list("pk", flat=True)[:10_000])

    def baseline() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, donor_id, consent_id, policy_id, origin, state, valid_from, valid_to, recorded_at "
                "FROM consent_policystate WHERE donor_id = ANY(%s)",
                [ids],
            )
            cursor.fetchall()

    floor = best(baseline, 3)
    duo = best(lambda: gate.permitted_many(donors=ids, duo_purpose="HMB", data_class="material"), 3)
    return [Result("consent gate, DUO question (HMB, material), Python fold", f"{len(ids):,} donors", duo,
                   len(ids) / duo, "donors/s", "bare SELECT of every act of the donors", floor)]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_gate", description=__doc__.split("\n")[0])
    parser.add_argument("--donors", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "biobank.settings.dev")
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False
    print(f"Machine: {machine()}")
    print(f"Command: python -m benchmarks.bench_gate --donors {args.donors} --repeat {args.repeat}")
    for measurement, value, unit in run(donors=args.donors, repeat=args.repeat):
        print(f"  {measurement:62} {value:14,.3f} {unit}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
