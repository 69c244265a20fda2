"""``python -m benchmarks [--list] [NAME ...]``: run the registered benchmarks (all by default) and print figures."""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys

import benchmarks
from benchmarks import REGISTRY


def _discover() -> None:
    """Import every module of the package, so their ``@benchmark`` registrations run."""
    for module in pkgutil.iter_modules(benchmarks.__path__):
        if not module.name.startswith("_"):
            importlib.import_module(f"benchmarks.{module.name}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    parser.add_argument("--list", action="store_true", help="list the available benchmarks and exit")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "biobank.settings.dev")
    import django

    django.setup()
    _discover()

    if not REGISTRY:
        print("Available benchmarks: none.")
        print("No benchmarks are registered yet; the data generator and benchmarks arrive with the performance issue.")
        return 0
    if args.list:
        print("Available benchmarks:")
        for name, function in sorted(REGISTRY.items()):
            print(f"  {name:30} {(function.__doc__ or '').strip().splitlines()[0] if function.__doc__ else ''}")
        return 0
    unknown = [name for name in args.names if name not in REGISTRY]
    if unknown:
        print(f"Unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(sorted(REGISTRY))}", file=sys.stderr)
        return 2
    for name in args.names or sorted(REGISTRY):
        print(f"== {name}")
        for measurement, value, unit in REGISTRY[name]():
            print(f"  {measurement:40} {value:12.3f} {unit}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
