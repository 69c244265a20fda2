"""SPREC derivation: 1,000,000 fact sets derived to codes, against a bare loop that only reads the same facts.

Run standalone (no database needed)::

    python -m benchmarks.bench_sprec                    # 1,000,000 fact sets, best of 3 runs each
    python benchmarks/bench_sprec.py --scale 0.1        # 100,000 fact sets

or through the runner as ``python -m benchmarks sprec``. Issue 11, "Measured": the throughput of
``specimens.sprec.derive`` beside a bare loop over the same fact sets that reads every fact name of the sample's
kind (and the four parts of each centrifugation) and does nothing else — what any derivation must at least do. The
fact sets are 80 % fluid (half with a delay in minutes, half with collection and centrifugation ``datetime``s;
centrifugation, second spin, post-centrifugation delay, storage) and 20 % solid, with values drawn across every
band; 50,000 distinct sets are cycled to the requested count. Runs alternate, the best run of each counts, and time
is this process's CPU time, so the figure is per core.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_pseudonyms import machine
from specimens.sprec import FLUID_FACTS, SOLID_FACTS, derive

DISTINCT = 50_000
FactSet = tuple[str, dict[str, Any]]
clock = time.process_time  # CPU time of this process: per core even on a shared machine

CONTAINERS = [("cryotube-1-2ml", "programmable-freezing", -150), ("pp-tube-0.5-2ml", "freezer", -80),
              ("pp-tube-40-500ul", "freezer", -20), ("straw", "liquid-nitrogen", -196),
              ("paraffin-block", None, 21), ("primary-container", "freezer", -70)]  # fmt: skip


def _spin(rng: random.Random) -> dict[str, Any]:
    braking = rng.random() < 0.8  # without braking SPREC codes only spins below 3000 g
    return {
        "temperature_c": rng.choice([4, 6.5, 20, 22.3, 25]),
        "duration_min": rng.choice([10, 12, 15, 15.5]),
        "g_force": rng.uniform(500, 15000) if braking else rng.choice([1500, 2500, 2999]),
        "braking": braking,
    }


def make_fact_sets(count: int, seed: int = 11) -> list[FactSet]:
    rng = random.Random(seed)
    pool: list[FactSet] = []
    start = datetime(2025, 3, 1, 8, 0)
    for _ in range(min(count, DISTINCT)):
        container, method, temperature = rng.choice(CONTAINERS)
        storage = {"storage_container": container, "storage_method": method, "storage_temperature_c": temperature}
        if rng.random() < 0.8:
            facts: dict[str, Any] = {
                "sample_type": rng.choice(["SER", "PL1", "PL2", "BLD", "URN"]),
                "primary_container": rng.choice(["SST", "PED", "SCI", "HEP"]),
                "pre_centrifugation_temperature_c": rng.choice([4, 8, 20, 24.6]),
                "centrifugation": _spin(rng),
                "second_centrifugation": rng.choice(["none", _spin(rng)]),
                "post_centrifugation_delay_min": rng.uniform(0, 3000),
                "post_centrifugation_temperature_c": rng.choice([4, 21]),
                **storage,
            }
            if rng.random() < 0.5:
                facts["pre_centrifugation_delay_min"] = rng.randrange(0, 4000)
            else:
                facts["collection_time"] = start
                facts["centrifugation_start"] = start + timedelta(seconds=rng.randrange(0, 4000 * 60))
            pool.append(("fluid", facts))
        else:
            facts = {
                "sample_type": rng.choice(["TIS", "BON", "FNA"]),
                "collection_type": rng.choice(["SRG", "BPS", "A06"]),
                "warm_ischemia_min": rng.choice([rng.uniform(0, 90), "none"]),
                "cold_ischemia_min": rng.uniform(0, 90),
                "fixation": rng.choice(["NBF", "SNP", "OCT"]),
                "fixation_duration_min": rng.randrange(0, 4320),
                **storage,
            }
            pool.append(("solid", facts))
    return [pool[i % len(pool)] for i in range(count)]


NAMES = {"fluid": tuple(sorted(FLUID_FACTS)), "solid": tuple(sorted(SOLID_FACTS))}


def bare_read(fact_sets: list[FactSet]) -> int:
    """Read every fact of the kind (and each spin's four parts); count the present ones. Nothing else."""
    present = 0
    names = NAMES
    for kind, facts in fact_sets:
        get = facts.get
        for name in names[kind]:
            value = get(name)
            if value is not None:
                present += 1
                if type(value) is dict:
                    value.get("temperature_c"), value.get("duration_min"), value.get("g_force"), value.get("braking")
    return present


def derive_all(fact_sets: list[FactSet]) -> list[str]:
    return [derive(kind, facts).code for kind, facts in fact_sets]


def measure(count: int = 1_000_000, repeat: int = 3) -> dict[str, float]:
    fact_sets = make_fact_sets(count)
    derive_all(fact_sets[:10_000])  # warm-up: tables built, memo filled
    bare_read(fact_sets[:10_000])
    best_bare = best_derive = float("inf")
    for _ in range(repeat):
        started = clock()
        bare_read(fact_sets)
        best_bare = min(best_bare, clock() - started)
        started = clock()
        codes = derive_all(fact_sets)
        best_derive = min(best_derive, clock() - started)
    assert len(codes) == count and all(len(code.split("-")) == 7 for code in codes[:1000])
    return {
        "fact_sets": count,
        "bare_per_s": count / best_bare,
        "derive_per_s": count / best_derive,
        "ratio": best_bare / best_derive,
    }


def rows(figures: dict[str, float]) -> list[tuple[str, float, str]]:
    return [
        ("fact sets", figures["fact_sets"], "count"),
        ("bare loop reading the facts", figures["bare_per_s"], "fact sets/s"),
        ("SPREC derivation (specimens.sprec.derive)", figures["derive_per_s"], "fact sets/s"),
        ("ratio derivation / bare read", figures["ratio"], "x"),
    ]


try:  # registered with the runner when the benchmarks package is there (python -m benchmarks sprec)
    from benchmarks import Result, benchmark
except ImportError:  # pragma: no cover - standalone without the runner package
    pass
else:
    if __name__ != "__main__":

        @benchmark("sprec")
        def sprec_benchmark(world) -> list[Result]:
            """Derive SPREC codes (ten per specimen, 20k to 1M) vs a bare loop reading the facts (one core)."""
            from benchmarks.bench_pseudonyms import world_size

            n = world_size(world)
            figures = measure(n, 3)
            return [
                Result("SPREC derivation, one core", f"{n:,} fact sets", n / figures["derive_per_s"],
                       figures["derive_per_s"], "fact sets/s", "bare loop reading the facts",
                       n / figures["bare_per_s"]),
            ]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of 1,000,000 fact sets (default 1)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each loop; the best counts (default 3)")
    args = parser.parse_args(argv)
    count = max(1, int(1_000_000 * args.scale))
    print(f"machine: {machine()}")
    print(f"command: python -m benchmarks.bench_sprec --scale {args.scale} --repeat {args.repeat}")
    for measurement, value, unit in rows(measure(count, args.repeat)):
        print(f"  {measurement:44} {value:14,.2f} {unit}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
