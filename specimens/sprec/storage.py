"""Long-term storage (position 7 of both kinds): container, method and temperature → one letter.

The rules come from the data (``derivation.fluid.7.storage``): each letter names its container, the methods it
admits (``None``: any) and its temperature ranges (``None``: any). The facts given pick the rules they fit: exactly
one → its letter; several (a fact missing) → ``X``; none → the fact that excludes them all is out of range.
"""

from __future__ import annotations

from typing import Any

from .errors import SprecProblem, _, shown
from .facts import entered_degrees
from .tables import Tables, tables

Answer = str | tuple[str, str, str]  # a letter, or (fact, message, code); a temperature message has %(degrees)s left


def _answer(t: Tables, container: str, method: str | None, degrees: int | None) -> Answer:
    rules = [rule for rule in t.storage if rule.container == container]
    fitting = [rule for rule in rules if method is None or rule.methods is None or method in rule.methods]
    if not fitting:
        methods = sorted({m for rule in rules for m in (rule.methods or t.methods)})
        message = _("storage_method %(method)s has no SPREC storage letter for a %(container)s; allowed: %(allowed)s.")
        values: dict[str, Any] = {"method": method, "container": container, "allowed": ", ".join(methods)}
        return ("storage_method", message % values, "out_of_range")
    temperatures = t.temperatures
    hits = [
        rule
        for rule in fitting
        if degrees is None
        or rule.temperatures is None
        or any(temperatures.contains(name, degrees) for name in rule.temperatures)
    ]
    if not hits:
        names = sorted({name for rule in fitting for name in rule.temperatures or ()})
        message = _(
            "storage_temperature_c %(degrees)s has no SPREC storage letter for a %(container)s%(method)s; "
            "allowed: %(allowed)s."
        )
        values = {
            "degrees": "%(degrees)s",  # the entered value, filled in by storage_letter (the answer is memoised)
            "container": container,
            "method": f" ({method})" if method else "",
            "allowed": temperatures.describe(names),
        }
        return ("storage_temperature_c", message % values, "out_of_range")
    return hits[0].letter if len(hits) == 1 else "X"


def storage_letter(
    container: str | None,
    method: str | None,
    degrees: int | None,
    problems: list[SprecProblem],
    entered: Any = None,
) -> str | None:
    """The letter, ``X`` when the facts leave several letters (or no container), ``None`` after a problem.

    ``degrees`` is the temperature in whole degrees, ``entered`` the value given (shown in a message)."""
    if container is None:
        return "X"
    t = tables()
    key = (container, method, degrees)
    answer = t.storage_memo.get(key)
    if answer is None:
        answer = _answer(t, container, method, degrees)
        if degrees is None or -300 <= degrees <= 300:  # a partner's absurd temperatures must not grow the memo
            t.storage_memo[key] = answer
    if isinstance(answer, str):
        return answer
    fact, message, code = answer
    if fact == "storage_method":
        value: Any = method
    else:
        value = degrees if entered is None else entered
        message = message.replace("%(degrees)s", entered_degrees(value, degrees))  # type: ignore[arg-type]
    problems.append(SprecProblem(message, shown(value), fact=fact, code=code))
    return None
