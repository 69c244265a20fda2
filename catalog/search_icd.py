"""The ICD-10 tree as the catalogue search uses it: the 3-character code range of each chapter and block, so that a
chapter or block selects every code under it in SQL (``left(code, 3) BETWEEN low AND high``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from . import vocabularies as v


@dataclass(frozen=True)
class IcdRange:
    low: str
    high: str


def _block_range(code: str) -> IcdRange:
    low, _sep, high = code.partition("-")
    return IcdRange(low[:3], (high or low)[:3])


@cache
def chapter_ranges() -> dict[str, IcdRange]:
    """Each ICD-10 chapter's span, from its top-level blocks (chapter II: C00-D48)."""
    table = v.terms(v.ICD10)
    ranges: dict[str, IcdRange] = {}
    for term in table.values():
        if term.kind == "block" and table[term.parent].kind == "chapter":
            block = _block_range(term.code)
            old = ranges.get(term.parent)
            ranges[term.parent] = IcdRange(min(old.low, block.low), max(old.high, block.high)) if old else block
    return ranges


@cache
def child_blocks() -> dict[str, list[str]]:
    """The blocks right under each ICD-10 chapter or block, in the file's order."""
    found: dict[str, list[str]] = {}
    for term in v.terms(v.ICD10).values():
        if term.kind == "block":
            found.setdefault(term.parent, []).append(term.code)
    return found


def icd_range(code: str) -> IcdRange | None:
    """The 3-character range a chapter or block spans (``None`` for categories and subcategories)."""
    if code.startswith("chapter:"):
        return chapter_ranges().get(code)
    if BLOCK_RE.match(code):
        return _block_range(code)
    return None


BLOCK_RE = re.compile(r"^[A-Z][0-9]{2}-[A-Z][0-9]{2}$")
ICD_LIKE = "d ~ '^[A-Z][0-9]'"


def disease_condition(code: str) -> tuple[str, list[Any]]:
    """SQL over one disease ``d`` (an element of ``diseases``): is it ``code`` or under it?"""
    span = icd_range(code)
    if span is not None:
        return f"({ICD_LIKE} AND left(d, 3) BETWEEN %s AND %s)", [span.low, span.high]
    if code.startswith("ORPHA:"):
        return "d = %s", [code]
    return "(d = %s OR d LIKE %s)", [code, code + ".%"]
