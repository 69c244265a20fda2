"""``python -m benchmarks [--scale small|10k|100k|1m|10m] [--seed N] [NAME ...]`` (``make bench SCALE=…``).

Generates (or takes from the cache) the network of the scale, runs every registered benchmark on a fresh copy of
it, prints one table — operation, size, time, throughput, baseline, ratio to baseline, target, met — and writes
the same as JSON to ``var/bench/<timestamp>-<scale>.json``. A benchmark that fails is reported (and the exit status
is 1) but does not stop the others. No figure is asserted: the targets are printed, and noise on a shared machine
is why every figure stands beside a baseline measured in the same run.
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import os
import pkgutil
import subprocess
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import benchmarks
from benchmarks import REGISTRY, Result

# They add rows to the shared copy (specimens, audit events): run after those that only read it.
LAST = ("audit", "import", "workers")
COLUMNS = ("operation", "size", "time", "throughput", "baseline", "ratio", "target", "met")


def discover() -> None:
    """Import every ``bench_*`` module of the package, so their ``@benchmark`` registrations run."""
    for module in pkgutil.iter_modules(benchmarks.__path__):
        if module.name.startswith("bench_"):
            importlib.import_module(f"benchmarks.{module.name}")


def _seconds(value: float | None) -> str:
    if value is None or math.isnan(value):
        return ""
    return f"{value * 1000:,.1f} ms" if value < 1 else f"{value:,.2f} s"


def cells(result: Result) -> tuple[str, ...]:
    throughput = f"{result.throughput:,.0f} {result.unit}" if result.throughput is not None else ""
    baseline = f"{result.baseline}: {_seconds(result.baseline_seconds)}" if result.baseline else ""
    ratio = f"{result.ratio:,.2f} x" if result.ratio is not None else ""
    met = {None: "", True: "met", False: "NOT met"}[result.met]
    queries = f" ({result.queries} q)" if result.queries is not None else ""
    return (result.operation + queries, result.size, _seconds(result.seconds), throughput, baseline, ratio,
            result.target.text if result.target else "", met)  # fmt: skip


def table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(row[i]) for row in [COLUMNS, *rows]) for i in range(len(COLUMNS))]
    line = lambda row: " | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))  # noqa: E731
    return "\n".join([line(COLUMNS), "-+-".join("-" * width for width in widths), *map(line, rows)])


def _commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              cwd=Path(__file__).parent, check=False).stdout.strip()  # fmt: skip
    except OSError:
        return ""


def run(scale: str, seed: int, names: list[str], out_dir: Path, log: Any = print) -> tuple[Path, dict[str, Any]]:
    """Run ``names`` on the world of ``scale``; the JSON file written and its content."""
    from benchmarks.bench_audit import machine
    from benchmarks.world import world

    started = datetime.now(UTC)
    report: dict[str, Any] = {
        "scale": scale, "seed": seed, "started": started.isoformat(timespec="seconds"), "machine": machine(),
        "load_average": list(os.getloadavg()), "commit": _commit(),
        "command": f"python -m benchmarks --scale {scale} --seed {seed} {' '.join(names)}".strip(),
        "results": [], "failures": [],
    }  # fmt: skip
    clock = time.perf_counter()
    with world(scale, seed, log=log) as the_world:
        report.update(template=the_world.template, generated_seconds=the_world.generated_seconds)
        for name in names:
            log(f"== {name}")
            began = time.perf_counter()
            try:
                results = REGISTRY[name](the_world)
            except Exception as error:  # reported, and the others still run
                log(traceback.format_exc())
                report["failures"].append({"benchmark": name, "error": f"{type(error).__name__}: {error}"})
                continue
            for result in results:
                report["results"].append({"benchmark": name, **result.as_dict(), "_cells": cells(result)})
            log(f"   {time.perf_counter() - began:.1f} s")
    report["seconds"] = time.perf_counter() - clock
    rows = [tuple(entry.pop("_cells")) for entry in report["results"]]
    report["table"] = table(rows) if rows else ""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{started.strftime('%Y%m%dT%H%M%SZ')}-{scale}.json"
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    return path, report


def main(argv: list[str] | None = None) -> int:
    from benchmarks.generate import SCALES

    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    parser.add_argument("--scale", choices=list(SCALES), default="small", help="size of the network (default small)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generator (default 1)")
    parser.add_argument("--out", type=Path, default=None, help="directory of the JSON report (default var/bench)")
    parser.add_argument("--list", action="store_true", help="list the available benchmarks and exit")
    parser.add_argument("--drop-cache", action="store_true", help="drop every cached generated database and exit")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "biobank.settings.dev")
    import django

    django.setup()
    import logging

    logging.getLogger("celery").setLevel(logging.WARNING)
    logging.getLogger("catalog.facts.engine").setLevel(logging.WARNING)
    logging.getLogger("kombu").setLevel(logging.ERROR)
    discover()
    if args.drop_cache:
        from benchmarks.world import drop_cache

        print("Dropped:", ", ".join(drop_cache()) or "nothing")
        return 0
    if args.list:
        print("Available benchmarks:")
        for name, function in sorted(REGISTRY.items()):
            print(f"  {name:20} {(function.__doc__ or '').strip().splitlines()[0] if function.__doc__ else ''}")
        return 0
    unknown = [name for name in args.names if name not in REGISTRY]
    if unknown:
        print(f"Unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(sorted(REGISTRY))}", file=sys.stderr)
        return 2
    from benchmarks.world import VAR

    names = args.names or sorted(REGISTRY, key=lambda name: (name in LAST, name))
    path, report = run(args.scale, args.seed, names, args.out or VAR)
    print()
    print(f"Machine: {report['machine']}; load {' '.join(f'{x:.1f}' for x in report['load_average'])}")
    print(f"Command: {report['command']}   (commit {report['commit']}, {report['seconds']:.0f} s)")
    print(report["table"])
    for failure in report["failures"]:
        print(f"FAILED {failure['benchmark']}: {failure['error']}")
    print(f"Written: {path}")
    return 1 if report["failures"] else 0
