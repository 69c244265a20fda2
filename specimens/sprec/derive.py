"""``derive``: the SPREC code of a sample from its recorded pre-analytical facts (``X`` where a fact is missing).

The fact names are those of issue 11 (and of ``POST /api/v1/sprec/derive/``). Every fact out of range is reported at
once (:class:`SprecError`); a fact outside every band is an error, never a guess — a person may still enter a code
with ``Z`` (other) directly. The bands and their boundaries are in ``specimens/data/sprec-v3.json`` and explained in
docs/sprec.md.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from .codelists import Element, Kind, code_lists
from .errors import SprecError, SprecProblem, _, kind_problem, shown
from .facts import INVALID, choice, code, elapsed, entered_degrees, minutes, problem, temperature, timestamp
from .storage import storage_letter
from .tables import DelayTable, SpinTable, tables

COMMON_FACTS = frozenset(
    {"sample_type", "collection_time", "storage_container", "storage_method", "storage_temperature_c"}
)
FLUID_FACTS = COMMON_FACTS | {
    "primary_container",
    "centrifugation_start",
    "pre_centrifugation_delay_min",
    "pre_centrifugation_temperature_c",
    "centrifugation",
    "second_centrifugation",
    "post_centrifugation_delay_min",
    "post_centrifugation_temperature_c",
}
SOLID_FACTS = COMMON_FACTS | {
    "collection_type",
    "warm_ischemia_min",
    "cold_ischemia_min",
    "fixation",
    "fixation_duration_min",
}
FACTS: dict[str, frozenset[str]] = {"fluid": FLUID_FACTS, "solid": SOLID_FACTS}
SPIN_PARTS = ("temperature_c", "duration_min", "g_force", "braking")
SPIN_KEYS = frozenset(SPIN_PARTS)
PART_NAMES = {
    fact: (f"{fact}/temperature_c", f"{fact}/duration_min") for fact in ("centrifugation", "second_centrifugation")
}
NONE = "none"


@dataclass(frozen=True, slots=True)
class Derived:
    """A derived code and its seven elements (``letter`` and ``meaning`` per position)."""

    code: str
    kind: Kind
    positions: tuple[Element, ...]


def _unknown(facts: Mapping[str, Any], kind: str, problems: list[SprecProblem]) -> None:
    allowed = FACTS[kind]
    for name in facts.keys() - allowed:
        message = _("%(fact)s is not a fact of a %(kind)s sample; allowed: %(allowed)s.") % {
            "fact": shown(name),
            "kind": kind,
            "allowed": ", ".join(sorted(allowed)),
        }
        problems.append(SprecProblem(message, shown(name), fact=str(name)[:64], code="unknown_field"))


def _delay(
    table: DelayTable,
    position: int,
    delay: Any,
    delay_fact: str,
    degrees: Any,
    temp_fact: str,
    problems: list[SprecProblem],
    entered: Any = None,
) -> Any:
    """``degrees`` is the temperature in whole degrees, ``entered`` the value given (shown in a message)."""
    cls = None
    if degrees is not None and degrees is not INVALID:
        cls = table.classify.get(degrees)
        if cls is None:
            message = _("%(fact)s %(degrees)s is outside the temperatures of position %(position)d: %(allowed)s.")
            values: dict[str, Any] = {
                "fact": temp_fact,
                "degrees": entered_degrees(entered, degrees),
                "position": position,
                "allowed": table.classes,
            }
            problem(problems, temp_fact, entered, message % values, "out_of_range")
            return None
    if delay is INVALID or degrees is INVALID:
        return None
    if delay is None or cls is None:
        return "X"
    letters = table.letters[cls]
    band = table.bands.band(delay)
    if 0 <= band < len(letters):
        return letters[band]
    _low, high = table.bands.bounds[len(letters) - 1]
    message = _(
        "%(fact)s %(minutes)d min at %(degrees)s has no letter at position %(position)d (coded below %(limit)d min)."
    )
    values = {
        "fact": delay_fact,
        "minutes": delay,
        "degrees": entered_degrees(entered, degrees),
        "position": position,
        "limit": high,
    }
    problem(problems, delay_fact, delay, message % values, "out_of_range")
    return None


def _spin(value: Any, fact: str, table: SpinTable, position: int, problems: list[SprecProblem]) -> Any:
    if value is None:
        return "X"
    if value == NONE:
        return "N"
    if type(value) is not dict and not isinstance(value, Mapping):  # the exact type first: an ABC check is slow
        message = _('%(fact)s must be "none" or an object with %(parts)s; not %(value)s.')
        values: dict[str, Any] = {"fact": fact, "parts": ", ".join(SPIN_PARTS), "value": shown(value)}
        return problem(problems, fact, value, message % values) and None
    before = len(problems)
    if not SPIN_KEYS.issuperset(value):
        for name in value.keys() - SPIN_KEYS:
            message = _("%(fact)s has no part %(name)s; allowed: %(parts)s.")
            values = {"fact": fact, "name": shown(name), "parts": ", ".join(SPIN_PARTS)}
            problem(problems, f"{fact}/{str(name)[:64]}", name, message % values, "unknown_field")
    temperature_name, duration_name = PART_NAMES[fact]
    entered = value.get("temperature_c")
    degrees = temperature(entered, temperature_name, problems)
    cls = None
    if degrees is not None and degrees is not INVALID:
        cls = table.classify.get(degrees)  # type: ignore[arg-type]  # an int here: INVALID and None ruled out
        if cls is None:
            message = _("%(fact)s/temperature_c %(degrees)s is outside the spin temperatures of SPREC: %(allowed)s.")
            values = {"fact": fact, "degrees": entered_degrees(entered, degrees), "allowed": table.classes}  # type: ignore[arg-type]
            problem(problems, f"{fact}/temperature_c", entered, message % values, "out_of_range")
    duration = minutes(value.get("duration_min"), duration_name, problems)
    if type(duration) is int and duration not in table.durations:
        message = _("%(fact)s/duration_min %(minutes)d min is outside the spin durations of SPREC: %(allowed)s.")
        values = {"fact": fact, "minutes": duration, "allowed": table.durations_text}
        problem(problems, f"{fact}/duration_min", duration, message % values, "out_of_range")
    g_force = value.get("g_force")
    if g_force is not None and not (type(g_force) in (int, float) and math.isfinite(g_force) and g_force > 0):
        message = _(
            "%(fact)s/g_force must be a positive number (x g), not %(value)s; "
            'a sample that was not spun has %(fact)s "none".'
        )
        problem(problems, f"{fact}/g_force", g_force, message % {"fact": fact, "value": shown(g_force)})
    braking = value.get("braking")
    if braking is not None and type(braking) is not bool:
        message = _("%(fact)s/braking must be true or false, not %(value)s.")
        problem(problems, f"{fact}/braking", braking, message % {"fact": fact, "value": shown(braking)})
    if len(problems) > before:
        return None
    if cls is None or duration is None or g_force is None or braking is None:
        return "X"
    for low, high, letter in table.rules.get((cls, duration, braking), ()):  # type: ignore[arg-type]
        if g_force >= low and (high is None or g_force < high):
            return letter
    spec = code_lists().positions["fluid"][position - 1]
    coded = "; ".join(f"{c} = {e.meaning}" for c, e in spec.codes.items() if c not in ("N", "X", "Z"))
    message = _(
        "%(fact)s: no letter of position %(position)d codes %(degrees)s, %(minutes)d min, %(g)s g, "
        "braking %(braking)s; coded: %(coded)s."
    )
    values = {
        "fact": fact,
        "position": position,
        "degrees": entered_degrees(entered, degrees),  # type: ignore[arg-type]  # an int here
        "minutes": duration,
        "g": g_force,
        "braking": "on" if braking else "off",
        "coded": coded,
    }
    return problem(problems, fact, value, message % values, "out_of_range") and None


def _storage(facts: Mapping[str, Any], problems: list[SprecProblem]) -> Any:
    t = tables()
    container = choice(facts.get("storage_container"), "storage_container", t.containers, problems)
    method = choice(facts.get("storage_method"), "storage_method", t.methods, problems)
    entered = facts.get("storage_temperature_c")
    degrees = temperature(entered, "storage_temperature_c", problems)
    if container is INVALID or method is INVALID or degrees is INVALID:
        return None
    return storage_letter(container, method, degrees, problems, entered)  # type: ignore[arg-type]


def _fluid(facts: Mapping[str, Any], problems: list[SprecProblem]) -> list[Any]:
    t, get = tables(), facts.get
    specs = code_lists().positions["fluid"]
    delay_fact = "pre_centrifugation_delay_min"
    delay = minutes(get(delay_fact), delay_fact, problems)
    if delay is None:
        collected = timestamp(get("collection_time"), "collection_time", problems)
        started = timestamp(get("centrifugation_start"), "centrifugation_start", problems)
        delay_fact = "centrifugation_start"
        delay = elapsed(collected, started, delay_fact, problems)
    pre_entered = get("pre_centrifugation_temperature_c")
    pre_temp = temperature(pre_entered, "pre_centrifugation_temperature_c", problems)
    first = get("centrifugation")
    letters = [
        code(get("sample_type"), "sample_type", specs[0], problems),
        code(get("primary_container"), "primary_container", specs[1], problems),
        _delay(
            t.fluid_delay[3], 3, delay, delay_fact, pre_temp, "pre_centrifugation_temperature_c", problems, pre_entered
        ),
        _spin(first, "centrifugation", t.spins[4], 4, problems),
    ]
    second = get("second_centrifugation")
    post_delay, post_temp = get("post_centrifugation_delay_min"), get("post_centrifugation_temperature_c")
    if first == NONE:
        if second is not None and second != NONE:
            message = _('second_centrifugation needs a first one, but centrifugation is "none".')
            problem(problems, "second_centrifugation", second, message, "out_of_range")
        post = (("post_centrifugation_delay_min", post_delay), ("post_centrifugation_temperature_c", post_temp))
        for name, value in post:
            if value is not None:
                message = _('%(fact)s has no meaning when centrifugation is "none" (position 6 is N).')
                problem(problems, name, value, message % {"fact": name}, "out_of_range")
        letters += ["N", "N"]
    else:
        letters.append(_spin(second, "second_centrifugation", t.spins[5], 5, problems))
        post_minutes = minutes(post_delay, "post_centrifugation_delay_min", problems)
        post_degrees = temperature(post_temp, "post_centrifugation_temperature_c", problems)
        letters.append(
            _delay(
                t.fluid_delay[6],
                6,
                post_minutes,
                "post_centrifugation_delay_min",
                post_degrees,
                "post_centrifugation_temperature_c",
                problems,
                post_temp,
            )
        )
    letters.append(_storage(facts, problems))
    return letters


def _banded(value: Any, fact: str, position: int, problems: list[SprecProblem]) -> Any:
    """A solid position coded by minutes alone (ischemia, fixation time); ``"none"`` is N (not applicable)."""
    if value is None:
        return "X"
    if value == NONE:
        return "N"
    number = minutes(value, fact, problems)
    if number is INVALID:
        return None
    bands, letters = tables().minute_bands[("solid", position)]
    band = bands.band(number)  # type: ignore[arg-type]
    if band >= 0:
        return letters[band]
    message = _("%(fact)s %(minutes)d min is outside every band of position %(position)d (coded below %(limit)d min).")
    values: dict[str, Any] = {"fact": fact, "minutes": number, "position": position, "limit": bands.limit}
    return problem(problems, fact, value, message % values, "out_of_range") and None


def _solid(facts: Mapping[str, Any], problems: list[SprecProblem]) -> list[Any]:
    get = facts.get
    specs = code_lists().positions["solid"]
    return [
        code(get("sample_type"), "sample_type", specs[0], problems),
        code(get("collection_type"), "collection_type", specs[1], problems),
        _banded(get("warm_ischemia_min"), "warm_ischemia_min", 3, problems),
        _banded(get("cold_ischemia_min"), "cold_ischemia_min", 4, problems),
        code(get("fixation"), "fixation", specs[4], problems),
        _banded(get("fixation_duration_min"), "fixation_duration_min", 6, problems),
        _storage(facts, problems),
    ]


def _assemble(kind: Kind, letters: list[Any]) -> Derived:
    """The code and its elements; positions 1, 2 and (solid) 5 are ``None`` when their fact is missing."""
    l1, l2, l3, l4, l5, l6, l7 = letters
    if l1 is None:
        l1 = "XXX"
    if l2 is None:
        l2 = "XXX"
    if l5 is None:
        l5 = "XXX"
    c1, c2, c3, c4, c5, c6, c7 = _codes(kind)
    elements = (c1[l1], c2[l2], c3[l3], c4[l4], c5[l5], c6[l6], c7[l7])
    return Derived(f"{l1}-{l2}-{l3}-{l4}-{l5}-{l6}-{l7}", kind, elements)


@cache
def _codes(kind: Kind) -> tuple[dict[str, Element], ...]:
    return tuple(spec.codes for spec in code_lists().positions[kind])


def derive(kind: str, facts: Mapping[str, Any]) -> Derived:
    """The SPREC code of a ``kind`` (``"fluid"``/``"solid"``) sample from ``facts`` (names: docs/sprec.md).

    A missing fact (absent or ``None``) gives ``X`` (``XXX``); ``"none"`` for a centrifugation, an ischemia time or
    a fixation time gives ``N``. Raises :class:`SprecError` naming every fact out of range or unknown."""
    problems: list[SprecProblem] = []
    if kind == "fluid":
        if not FLUID_FACTS.issuperset(facts):
            _unknown(facts, kind, problems)
        letters = _fluid(facts, problems)
    elif kind == "solid":
        if not SOLID_FACTS.issuperset(facts):
            _unknown(facts, kind, problems)
        letters = _solid(facts, problems)
    else:
        raise SprecError([kind_problem(kind)])
    if problems:
        raise SprecError(problems)
    return _assemble(kind, letters)  # type: ignore[arg-type]  # kind is "fluid" or "solid" here
