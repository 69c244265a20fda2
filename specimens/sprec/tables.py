"""The derivation tables, precomputed once from the ``derivation`` block of the shipped data.

Every lookup the derivation does per fact set is a list index or a dict get: minutes → band index (a list as long
as the last finite band bound), whole degrees → temperature class (a dict over -300..300 °C), a spin's
(temperature class, whole minutes, braking) → its g-force bands, a storage (container, method, degrees) → letter
(memoised). Rules (docs/sprec.md, "Bands"): time bands are half-open ``[lower, upper)`` in whole minutes, elapsed
time truncated; temperatures are compared in whole degrees, rounded half away from zero, both ends inclusive;
g-force bands are ``[lower, upper)``; spin durations are closed ranges of whole minutes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from .codelists import code_lists

DEGREE_RANGE = range(-300, 301)


def degrees(value: float) -> int:
    """Whole degrees, rounding half away from zero (28.5 → 29, -59.5 → -60); Python's ``round`` would round half
    to even (2.5 → 2), which no thermometer reading means."""
    if value >= 0:
        return int(value + 0.5)
    return -int(0.5 - value)


def whole_minutes(value: float) -> int:
    """Elapsed minutes truncated (119.9 → 119: still under 2 h)."""
    return math.floor(value)


@dataclass(frozen=True)
class Temperatures:
    """Named temperature ranges in whole degrees, both ends inclusive (``None``: open)."""

    ranges: dict[str, tuple[int | None, int | None]]

    def contains(self, name: str, value: int) -> bool:
        low, high = self.ranges[name]
        return (low is None or value >= low) and (high is None or value <= high)

    def classifier(self, names: list[str]) -> dict[int, str]:
        """Whole degrees → the one class among ``names`` that holds them (the names' ranges do not overlap)."""
        table: dict[int, str] = {}
        for value in DEGREE_RANGE:
            hits = [name for name in names if self.contains(name, value)]
            if len(hits) > 1:
                raise ValueError(f"temperature classes {hits} overlap at {value} °C")
            if hits:
                table[value] = hits[0]
        return table

    def describe(self, names: list[str]) -> str:
        parts = []
        for name in names:
            low, high = self.ranges[name]
            if low is None:
                parts.append(f"≤ {high} °C")
            elif high is None:
                parts.append(f"≥ {low} °C")
            else:
                parts.append(f"{low} to {high} °C")
        return ", ".join(parts)


@dataclass(frozen=True)
class Bands:
    """Half-open minute bands ``[lower, upper)``; ``index[m]`` is the band of ``m`` whole minutes, -1 for none;
    minutes past the list fall in ``tail`` (the open last band's index, or -1 when the last band is bounded)."""

    bounds: list[tuple[int, int | None]]
    index: list[int] = field(default_factory=list)
    tail: int = -1

    @classmethod
    def of(cls, raw: list[list[int | None]]) -> Bands:
        bounds = [(int(low or 0), None if high is None else int(high)) for low, high in raw]
        finite = max(high if high is not None else low for low, high in bounds)
        index = [-1] * (finite + 1)
        for position, (low, high) in enumerate(bounds):
            for minute in range(low, finite + 1 if high is None else high):
                index[minute] = position
        tail = len(bounds) - 1 if bounds[-1][1] is None else -1
        return cls(bounds, index, tail)

    def band(self, minutes: int) -> int:
        return self.index[minutes] if minutes < len(self.index) else self.tail

    @property
    def limit(self) -> int | None:
        return self.bounds[-1][1]


@dataclass(frozen=True)
class DelayTable:
    """A delay-and-temperature position (fluid 3 and 6): letter = ``letters[class][band]``."""

    bands: Bands
    letters: dict[str, list[str]]
    classify: dict[int, str]
    classes: str  # for messages


@dataclass(frozen=True)
class SpinTable:
    """A centrifugation position (fluid 4 and 5): (class, whole minutes, braking) → [(g low, g high, letter)]."""

    rules: dict[tuple[str, int, bool], list[tuple[float, float | None, str]]]
    classify: dict[int, str]
    durations: frozenset[int]
    classes: str
    durations_text: str


@dataclass(frozen=True)
class StorageRule:
    letter: str
    container: str
    methods: frozenset[str] | None
    temperatures: tuple[str, ...] | None


@dataclass(frozen=True)
class Tables:
    temperatures: Temperatures
    fluid_delay: dict[int, DelayTable]
    spins: dict[int, SpinTable]
    minute_bands: dict[tuple[str, int], tuple[Bands, list[str]]]
    storage: tuple[StorageRule, ...]
    containers: tuple[str, ...]
    methods: tuple[str, ...]
    storage_memo: dict[tuple[str, str | None, int | None], Any] = field(default_factory=dict)


def _delay(temperatures: Temperatures, raw: dict[str, Any]) -> DelayTable:
    names = list(raw["letters"])
    return DelayTable(
        Bands.of(raw["bands_min"]), raw["letters"], temperatures.classifier(names), temperatures.describe(names)
    )


def _spins(temperatures: Temperatures, raw: dict[str, Any]) -> SpinTable:
    names = sorted({spin["temperature"] for spin in raw["spins"]})
    rules: dict[tuple[str, int, bool], list[tuple[float, float | None, str]]] = {}
    durations: set[int] = set()
    for spin in raw["spins"]:
        low, high = spin["duration_min"]
        for minute in range(low, high + 1):
            durations.add(minute)
            key = (spin["temperature"], minute, spin["braking"])
            rules.setdefault(key, []).append((spin["g_force"][0], spin["g_force"][1], spin["letter"]))
    ranges = sorted({tuple(spin["duration_min"]) for spin in raw["spins"]})
    text = ", ".join(f"{low} to {high} min" if low != high else f"{low} min" for low, high in ranges)
    return SpinTable(rules, temperatures.classifier(names), frozenset(durations), temperatures.describe(names), text)


@cache
def tables() -> Tables:
    """The tables of the shipped code lists, built on first use."""
    derivation = code_lists().derivation
    temperatures = Temperatures(
        {name: (bounds[0], bounds[1]) for name, bounds in derivation["temperatures"].items() if name[0] != "_"}
    )
    fluid, solid = derivation["fluid"], derivation["solid"]
    minute_bands = {
        ("solid", int(position)): (Bands.of(raw["bands_min"]), raw["letters"])
        for position, raw in solid.items()
        if "bands_min" in raw
    }
    storage = tuple(
        StorageRule(
            rule["letter"],
            rule["container"],
            None if rule["methods"] is None else frozenset(rule["methods"]),
            None if rule["temperatures"] is None else tuple(rule["temperatures"]),
        )
        for rule in fluid["7"]["storage"]
    )
    return Tables(
        temperatures=temperatures,
        fluid_delay={3: _delay(temperatures, fluid["3"]), 6: _delay(temperatures, fluid["6"])},
        spins={4: _spins(temperatures, fluid["4"]), 5: _spins(temperatures, fluid["5"])},
        minute_bands=minute_bands,
        storage=storage,
        containers=tuple(derivation["storage_containers"]),
        methods=tuple(derivation["storage_methods"]),
    )
