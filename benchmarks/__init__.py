"""Benchmarks of the portal on realistic data volumes (`make bench SCALE=…`, i.e. ``python -m benchmarks --scale …``).

One generated network (``benchmarks.generate``, cached as a PostgreSQL template database by ``benchmarks.world``)
is measured by every registered benchmark: a function registered with ``@benchmark("name")`` takes the
:class:`~benchmarks.world.World` (a fresh copy of the generated database) and returns :class:`Result` rows, each a
figure beside the baseline measured in the same run and the issue's target. The runner (``benchmarks.runner``)
prints them as one table and writes the same as JSON under ``var/bench/``. Each ``bench_*`` module also keeps its
standalone entry point (``python -m benchmarks.bench_x``), which builds its own scratch data as before.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Row = tuple[str, float, str]  # the standalone entry points' rows: (measurement, value, unit)


@dataclass(frozen=True)
class Target:
    """The issue's target for a figure: ``text`` as printed, ``check`` says whether a :class:`Result` meets it."""

    text: str
    check: Callable[[Result], bool] = field(compare=False, repr=False)

    @staticmethod
    def at_least(value: float, unit: str) -> Target:
        return Target(f">= {value:,g} {unit}", lambda result: (result.throughput or 0.0) >= value)

    @staticmethod
    def at_most_seconds(value: float) -> Target:
        return Target(f"<= {value:g} s", lambda result: result.seconds <= value)

    @staticmethod
    def at_most_ms(value: float) -> Target:
        return Target(f"<= {value:g} ms", lambda result: result.seconds * 1000 <= value)

    @staticmethod
    def ratio_at_least(value: float) -> Target:
        """At least ``value`` times the baseline's speed (``baseline / seconds``), as "≥ 0.5 x raw COPY"."""
        return Target(f">= {value:g} x baseline speed", lambda result: (result.speed_ratio or 0.0) >= value)

    @staticmethod
    def at_most_queries(value: int) -> Target:
        return Target(f"<= {value} queries", lambda result: result.queries is not None and result.queries <= value)


@dataclass
class Result:
    """One measured operation: its time and throughput beside the same run's baseline, and the target.

    ``seconds`` is the figure's time (for a latency, the percentile named in ``operation``); ``throughput`` is in
    ``unit`` (rows/s, req/s, events/s …) or ``None`` for a pure latency; ``baseline_seconds`` is the physical floor
    of the same work measured in the same run. ``ratio`` is ``seconds / baseline_seconds`` (how many times the
    floor's time the operation takes).
    """

    operation: str
    size: str
    seconds: float
    throughput: float | None = None
    unit: str = ""
    baseline: str = ""
    baseline_seconds: float | None = None
    target: Target | None = None
    queries: int | None = None
    notes: str = ""

    @property
    def ratio(self) -> float | None:
        if not self.baseline_seconds or not self.seconds:
            return None
        return self.seconds / self.baseline_seconds

    @property
    def speed_ratio(self) -> float | None:
        return None if self.ratio is None else 1 / self.ratio

    @property
    def met(self) -> bool | None:
        return None if self.target is None else bool(self.target.check(self))

    def as_dict(self) -> dict[str, Any]:
        def number(value: float | None) -> float | None:
            return None if value is None or math.isnan(value) else value

        return {
            "operation": self.operation,
            "size": self.size,
            "seconds": number(self.seconds),
            "throughput": number(self.throughput),
            "unit": self.unit,
            "baseline": self.baseline,
            "baseline_seconds": number(self.baseline_seconds),
            "ratio": number(self.ratio),
            "target": self.target.text if self.target else "",
            "met": self.met,
            "queries": self.queries,
            "notes": self.notes,
        }


class QueryCount:
    """Counts the statements run while the block runs (``execute_wrapper``: survives the connection's reconnects)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        self.count += 1
        return execute(sql, params, many, context)

    def __enter__(self) -> QueryCount:
        from django.db import connection

        self._wrapper = connection.execute_wrapper(self)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._wrapper.__exit__(*exc)

    def __len__(self) -> int:
        return self.count


BenchmarkFunction = Callable[[Any], list[Result]]  # takes a benchmarks.world.World

REGISTRY: dict[str, BenchmarkFunction] = {}


def benchmark(name: str) -> Callable[[BenchmarkFunction], BenchmarkFunction]:
    """Register ``function`` under ``name`` (unique)."""

    def register(function: BenchmarkFunction) -> BenchmarkFunction:
        if name in REGISTRY:
            raise ValueError(f"A benchmark named {name!r} is already registered.")
        REGISTRY[name] = function
        return function

    return register
