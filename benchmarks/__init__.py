"""Benchmarks of the portal on realistic data volumes (`make bench`, i.e. ``python -m benchmarks``).

A benchmark is a function registered with ``@benchmark("name")``; it builds or reuses its data, measures, and
returns rows of ``(measurement, value, unit)`` that the runner prints. Figures worth keeping go into
``docs/performance.md`` together with the command that produced them. The data generator and the first benchmarks
come with the performance issue; until then the registry is empty and the runner says so.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

Row = tuple[str, float, str]
BenchmarkFunction = Callable[[], Iterable[Row]]

REGISTRY: dict[str, BenchmarkFunction] = {}


def benchmark(name: str) -> Callable[[BenchmarkFunction], BenchmarkFunction]:
    """Register ``function`` under ``name`` (unique)."""

    def register(function: BenchmarkFunction) -> BenchmarkFunction:
        if name in REGISTRY:
            raise ValueError(f"A benchmark named {name!r} is already registered.")
        REGISTRY[name] = function
        return function

    return register
