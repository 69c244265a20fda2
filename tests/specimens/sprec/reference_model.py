"""A small, independent model of the SPREC v3.0 derivation, written from docs/sprec.md and the code meanings.

It shares no code and no table with ``specimens.sprec``: plain if/elif over whole minutes and whole degrees, so a
mistake in the engine's precomputed tables shows up as a disagreement in ``test_properties.py``. It answers the
code, or the set of facts it finds out of range (the engine must name the same facts).
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any


def whole_degrees(value: float) -> int:
    """Half away from zero."""
    return int(math.copysign(math.floor(abs(value) + 0.5), value))


def is_rt(t: int) -> bool:
    return 18 <= t <= 28


def is_cold(t: int) -> bool:
    return 2 <= t <= 10


def pre_centrifugation(minutes: int, t: int) -> str | None:
    if is_rt(t):
        letters = "ACEGIKM"
    elif is_cold(t):
        letters = "BDFHJLN"
    elif 35 <= t <= 38:
        return "O" if minutes < 120 else None
    else:
        return None
    if minutes < 120:
        return letters[0]
    elif minutes < 240:
        return letters[1]
    elif minutes < 480:
        return letters[2]
    elif minutes < 720:
        return letters[3]
    elif minutes < 1440:
        return letters[4]
    elif minutes < 2880:
        return letters[5]
    return letters[6]


def post_centrifugation(minutes: int, t: int) -> str | None:
    if is_cold(t):
        letters = "ACEGI"
    elif is_rt(t):
        letters = "BDFHJ"
    else:
        return None
    if minutes < 60:
        return letters[0]
    elif minutes < 120:
        return letters[1]
    elif minutes < 480:
        return letters[2]
    elif minutes < 1440:
        return letters[3]
    return letters[4]


def spin(t: int, minutes: int, g: float, braking: bool, *, second: bool) -> str | None:
    if minutes == 30 and not second:
        if is_rt(t) and g < 1000 and not braking:
            return "M"
        return None
    if not 10 <= minutes <= 15:
        return None
    if is_rt(t):
        if g < 3000:
            return "B" if braking else "A"
        if not braking:
            return None
        if g < 6000:
            return "E"
        if g < 10000:
            return "G"
        return "I"
    if is_cold(t):
        if g < 3000:
            return "D" if braking else "C"
        if not braking:
            return None
        if g < 6000:
            return "F"
        if g < 10000:
            return "H"
        return "J"
    return None


def ischemia(minutes: int) -> str:
    if minutes < 2:
        return "A"
    if minutes < 10:
        return "B"
    if minutes < 20:
        return "C"
    if minutes < 30:
        return "D"
    if minutes < 60:
        return "E"
    return "F"


def fixation_time(minutes: int) -> str | None:
    for limit, letter in ((15, "A"), (60, "B"), (240, "C"), (480, "D"), (1440, "E"), (2880, "F"), (4320, "G")):
        if minutes < limit:
            return letter
    return None


def storage(container: str | None, method: str | None, t: int | None) -> str | None:
    """The letter; ``X`` if several fit; ``None`` if none fits."""
    if container is None:
        return "X"
    ultra, deep, minus20 = (
        (t is not None and t <= -136),
        (t is not None and -85 <= t <= -60),
        (t is not None and -35 <= t <= -18),
    )
    candidates = []

    def fits(letter: str, methods: set[str] | None, ok: bool) -> None:
        if (method is None or methods is None or method in methods) and (t is None or ok):
            candidates.append(letter)

    freezer = {"freezer"}
    if container == "pp-tube-0.5-2ml":
        fits("A", freezer, deep)
        fits("B", freezer, minus20)
        fits("V", {"freezer", "liquid-nitrogen"}, ultra)
    elif container == "pp-tube-40-500ul":
        fits("S", freezer, deep)
        fits("T", freezer, minus20)
        fits("W", {"freezer", "liquid-nitrogen"}, ultra)
    elif container == "cryotube-1-2ml":
        fits("C", {"liquid-nitrogen"}, ultra)
        fits("D", freezer, deep)
        fits("E", {"programmable-freezing"}, ultra)
        fits("N", {"liquid-nitrogen-after-minus-80"}, ultra)
    elif container == "straw":
        fits("F", {"liquid-nitrogen"}, ultra)
        fits("G", freezer, deep)
        fits("H", freezer, minus20)
        fits("I", {"programmable-freezing"}, ultra)
        fits("O", {"liquid-nitrogen-after-minus-80"}, ultra)
    elif container == "pp-tube-5ml":
        fits("J", freezer, deep)
        fits("K", freezer, minus20)
    elif container == "microplate":
        fits("L", freezer, deep)
        fits("M", freezer, minus20)
    elif container == "paraffin-block":
        fits("P", None, t is not None and (is_rt(t) or is_cold(t)))
        fits("U", freezer, minus20)
    elif container == "bag":
        fits("Q", {"liquid-nitrogen"}, ultra)
    elif container == "dry-medium":
        fits("R", None, t is not None and is_rt(t))
    elif container == "primary-container":
        fits("Y", freezer, deep or minus20)
    if not candidates:
        return None
    return candidates[0] if len(candidates) == 1 else "X"


def _minutes(value: Any) -> int:
    return math.floor(value)


def fluid(facts: dict[str, Any]) -> tuple[str | None, set[str]]:
    """(code, set()) or (None, {fact, ...}) for the facts the model generates (valid types only)."""
    bad: set[str] = set()
    letters = [facts.get("sample_type") or "XXX", facts.get("primary_container") or "XXX"]
    delay, delay_fact = facts.get("pre_centrifugation_delay_min"), "pre_centrifugation_delay_min"
    if delay is None and facts.get("collection_time") and facts.get("centrifugation_start"):
        seconds = (
            datetime.fromisoformat(facts["centrifugation_start"]) - datetime.fromisoformat(facts["collection_time"])
        ).total_seconds()
        delay, delay_fact = seconds / 60, "centrifugation_start"
    temp = facts.get("pre_centrifugation_temperature_c")
    letter = "X"
    if temp is not None:
        t = whole_degrees(temp)
        if not (is_rt(t) or is_cold(t) or 35 <= t <= 38):
            bad.add("pre_centrifugation_temperature_c")
        elif delay is not None:
            letter = pre_centrifugation(_minutes(delay), t) or "?"
            if letter == "?":
                bad.add(delay_fact)
    letters.append(letter)
    first, second = facts.get("centrifugation"), facts.get("second_centrifugation")
    for value, name, is_second in ((first, "centrifugation", False), (second, "second_centrifugation", True)):
        if is_second and first == "none":
            if value not in (None, "none"):
                bad.add(name)
            letters.append("N")
            continue
        if value is None:
            letters.append("X")
        elif value == "none":
            letters.append("N")
        else:
            t, minutes = whole_degrees(value["temperature_c"]), _minutes(value["duration_min"])
            problems = False
            if not (is_rt(t) or is_cold(t)):
                bad.add(f"{name}/temperature_c")
                problems = True
            if not (10 <= minutes <= 15 or (minutes == 30 and not is_second)):
                bad.add(f"{name}/duration_min")
                problems = True
            if not problems:
                found = spin(t, minutes, value["g_force"], value["braking"], second=is_second)
                if found is None:
                    bad.add(name)
                letters.append(found or "?")
            else:
                letters.append("?")
    if first == "none":
        for name in ("post_centrifugation_delay_min", "post_centrifugation_temperature_c"):
            if facts.get(name) is not None:
                bad.add(name)
        letters.append("N")
    else:
        post, post_t = facts.get("post_centrifugation_delay_min"), facts.get("post_centrifugation_temperature_c")
        letter = "X"
        if post_t is not None:
            t = whole_degrees(post_t)
            if not (is_rt(t) or is_cold(t)):
                bad.add("post_centrifugation_temperature_c")
            elif post is not None:
                letter = post_centrifugation(_minutes(post), t) or "?"
        letters.append(letter)
    letters.append(_storage(facts, bad))
    return (None, bad) if bad else ("-".join(letters), bad)


def _storage(facts: dict[str, Any], bad: set[str]) -> str:
    temp = facts.get("storage_temperature_c")
    t = None if temp is None else whole_degrees(temp)
    letter = storage(facts.get("storage_container"), facts.get("storage_method"), t)
    if letter is None:
        with_method = storage(facts.get("storage_container"), facts.get("storage_method"), None)
        bad.add("storage_method" if with_method is None else "storage_temperature_c")
        return "?"
    return letter


def solid(facts: dict[str, Any]) -> tuple[str | None, set[str]]:
    bad: set[str] = set()
    letters = [facts.get("sample_type") or "XXX", facts.get("collection_type") or "XXX"]
    for name in ("warm_ischemia_min", "cold_ischemia_min"):
        value = facts.get(name)
        letters.append("X" if value is None else "N" if value == "none" else ischemia(_minutes(value)))
    letters.append(facts.get("fixation") or "XXX")
    value = facts.get("fixation_duration_min")
    if value is None:
        letters.append("X")
    elif value == "none":
        letters.append("N")
    else:
        letter = fixation_time(_minutes(value))
        if letter is None:
            bad.add("fixation_duration_min")
        letters.append(letter or "?")
    letters.append(_storage(facts, bad))
    return (None, bad) if bad else ("-".join(letters), bad)
