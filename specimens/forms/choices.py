"""Choices the specimen forms offer, read from the shipped SPREC and MIABIS data: readable names, codes as values."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.utils.translation import gettext_lazy as _

from ..materials import material_types
from ..sprec.codelists import Kind, code_lists
from ..sprec.tables import tables

BLANK = ("", _("— not recorded —"))


@cache
def sample_type_choices() -> list[tuple[str, Any]]:
    """``(SPREC type, "SER — Serum")`` for every type of sample, fluid types first; a type listed under both kinds
    appears once (its kind is chosen beside it)."""
    seen: dict[str, str] = {}
    for kind in ("fluid", "solid"):
        for code, element in code_lists().positions[kind][0].codes.items():
            seen.setdefault(code, f"{code} — {element.meaning}")
    return list(seen.items())


def sample_type_name(code: str) -> str:
    return dict(sample_type_choices()).get(code, code)


@cache
def _position_choices(kind: Kind, index: int) -> list[tuple[str, Any]]:
    codes = code_lists().positions[kind][index].codes
    return [(code, f"{code} — {element.meaning}") for code, element in codes.items() if code not in ("X", "XXX")]


def primary_container_choices() -> list[tuple[str, Any]]:
    return [BLANK, *_position_choices("fluid", 1)]


def collection_type_choices() -> list[tuple[str, Any]]:
    return [BLANK, *_position_choices("solid", 1)]


def fixation_choices() -> list[tuple[str, Any]]:
    return [BLANK, *_position_choices("solid", 4)]


def storage_container_choices() -> list[tuple[str, Any]]:
    return [BLANK, *((name, name) for name in tables().containers)]


def storage_method_choices() -> list[tuple[str, Any]]:
    return [BLANK, *((name, name) for name in tables().methods)]


def material_type_choices() -> list[tuple[str, Any]]:
    return [("", _("— from the sample type —")), *((name, name) for name in sorted(material_types()))]
