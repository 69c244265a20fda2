"""The SPREC code lists, loaded once from the shipped data (``specimens/data/sprec-v3.json``).

Nothing here knows a code: a later SPREC version is a new data file. The X/Z conventions of the standard ("3-letter
positions: XXX unknown, ZZZ other; 1-letter positions: X unknown, Z other") hold on every position, so a list that
does not spell them out (fluid and solid type of sample, solid type of collection have no ``XXX``) still accepts them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

Kind = Literal["fluid", "solid"]
KINDS: tuple[Kind, ...] = ("fluid", "solid")
DATA_DIR = Path(__file__).resolve().parent.parent / "data"
SPREC_FILE = DATA_DIR / "sprec-v3.json"


@dataclass(frozen=True, slots=True)
class Element:
    """One decoded element: its position (1 to 7), its letter(s), what they mean, and the evidence status of the code
    in the reference data (``None`` when plain; ``v3-added``, ``unverified`` or ``conflict`` otherwise)."""

    position: int
    letter: str
    meaning: str
    status: str | None = None
    element: str = ""
    note: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "element": self.element,
            "letter": self.letter,
            "meaning": self.meaning,
            "status": self.status,
        }


@dataclass(frozen=True, slots=True)
class PositionSpec:
    """One position of a kind's code: its name, its length and its codes (aliases included)."""

    position: int
    element: str
    length: int
    codes: dict[str, Element]
    aliases: frozenset[str] = frozenset()

    @property
    def allowed(self) -> str:
        """The codes a person may use here, for messages (aliases left out: they are accepted, not offered)."""
        return ", ".join(code for code in self.codes if code not in self.aliases)


@dataclass(frozen=True)
class CodeLists:
    version: str
    positions: dict[Kind, tuple[PositionSpec, ...]]
    derivation: dict[str, Any]
    provenance: dict[str, Any]


CONVENTIONS = {3: {"XXX": "Unknown", "ZZZ": "Other"}, 1: {"X": "Unknown", "Z": "Other"}}


def _position(raw: dict[str, Any]) -> PositionSpec:
    position, name, length = raw["position"], raw["element"], raw["code_length"]
    codes = {
        item["code"]: Element(position, item["code"], item["meaning"], item.get("status"), name, item.get("note"))
        for item in raw["codes"]
    }
    for code, meaning in CONVENTIONS[length].items():
        codes.setdefault(code, Element(position, code, meaning, None, name))
    for alias in raw.get("aliases", ()):
        codes[alias["code"]] = Element(position, alias["code"], alias["meaning"], alias["status"], name, alias["note"])
    return PositionSpec(position, name, length, codes, frozenset(alias["code"] for alias in raw.get("aliases", ())))


@cache
def code_lists(path: Path = SPREC_FILE) -> CodeLists:
    """The code lists of ``path`` (the shipped SPREC v3.0 file by default), parsed once per process."""
    data = json.loads(path.read_text(encoding="utf-8"))
    positions: dict[Kind, tuple[PositionSpec, ...]] = {
        kind: tuple(_position(raw) for raw in data[kind]) for kind in KINDS
    }
    return CodeLists(data["version"], positions, data["derivation"], data["provenance"])
