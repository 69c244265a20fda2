"""SPREC for import rows: the same rules as ``specimen_register`` (``sample_type_checked``, ``sprec_code_for``),
memoised on the facts that decide the code, so a million rows with a few hundred distinct fact sets derive a few
hundred times. Problems come back per column: a fact names its column, a position of an entered code ``sprec_code``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from biobank.errors import DomainError

from .. import sprec
from ..services.register import FACT_FIELDS
from ..services.sprec_codes import sample_type_checked

# The row fields that SPREC derivation reads, in a fixed order (the memo key): the recorded facts but the times.
FACT_KEYS = tuple(name for name in FACT_FIELDS if name not in ("collected_at", "received_at", "storage_started_at"))
SPIN_PARTS = ("temperature_c", "duration_min", "g_force", "braking")
ColumnProblems = list[tuple[str, str]]  # (column, message)


def _plain(value: Any) -> Any:
    return float(value) if isinstance(value, Decimal) else value


def _facts(values: dict[str, Any]) -> dict[str, Any]:
    """The derive facts of a row, shaped like ``Specimen.facts()`` (timestamps left out: the delays are given)."""
    facts = {}
    for key in FACT_KEYS:
        value = values.get(key)
        if value is not None and not key.startswith(("centrifugation_", "second_centrifugation_")):
            facts[key] = _plain(value)
    for name in ("centrifugation", "second_centrifugation"):
        done = values.get(name)
        if done == "done":
            facts[name] = {part: _plain(values.get(f"{name}_{part}")) for part in SPIN_PARTS}
    return facts


def _column_of(problem: sprec.SprecProblem) -> str:
    if problem.fact is not None:
        return problem.fact.replace("/", "_")
    return "sprec_code"


class SprecMemo:
    """Type of sample → (type, kind, material) and facts → code, each worked out once per distinct input."""

    def __init__(self) -> None:
        self._types: dict[tuple[str, str, str], tuple[str, str, str] | tuple[str, str]] = {}
        self._codes: dict[tuple[Any, ...], str | ColumnProblems] = {}
        self._entered: dict[tuple[str, str, str], str | ColumnProblems] = {}

    def sample_type(self, sample_type: str, kind: str, material: str) -> tuple[str, str, str] | tuple[str, str]:
        """``(type, kind, material)`` or ``(column, message)``."""
        key = (sample_type, kind, material)
        found = self._types.get(key)
        if found is None:
            try:
                found = sample_type_checked(sample_type, kind=kind, material_type=material)
            except DomainError as error:
                found = (error.field or "sample_type", error.message)
            self._types[key] = found
        return found

    def code(self, kind: str, sample_type: str, values: dict[str, Any]) -> str | ColumnProblems:
        entered = values.get("sprec_code")
        if entered:
            return self._code_entered(kind, sample_type, entered)
        key = (kind, sample_type, *[values.get(name) for name in FACT_KEYS])
        found = self._codes.get(key)
        if found is None:
            try:
                found = sprec.derive(kind, {**_facts(values), "sample_type": sample_type}).code
            except sprec.SprecError as error:
                found = [(_column_of(problem), problem.message) for problem in error.errors]
            self._codes[key] = found
        return found

    def _code_entered(self, kind: str, sample_type: str, entered: str) -> str | ColumnProblems:
        key = (kind, sample_type, entered)
        found = self._entered.get(key)
        if found is None:
            try:
                decoded = sprec.decode(entered)
            except sprec.SprecError as error:
                found = [("sprec_code", problem.message) for problem in error.errors]
            else:
                if decoded.kind != kind or decoded.code.split("-")[0] not in (sample_type, "XXX"):
                    message = _("SPREC code %(code)s does not describe a %(kind)s sample of type %(type)s.") % {
                        "code": decoded.code,
                        "kind": kind,
                        "type": sample_type,
                    }
                    found = [("sprec_code", message)]
                else:
                    found = decoded.code
            self._entered[key] = found
        return found
