"""The SPREC code of a specimen: derived from its recorded facts, or entered directly where the facts are unknown.

The engine is ``specimens.sprec`` (pure, also used by the public API and the import); this module applies it to a
specimen and turns its errors into a ``DomainError`` that names each position or fact.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.utils.translation import gettext as _

from biobank.errors import DomainError

from .. import sprec
from ..materials import material_for_sprec, material_types
from ..sprec.codelists import code_lists


@cache
def sample_types() -> dict[str, frozenset[str]]:
    """``{SPREC type of sample: the kinds it is listed under}`` (``CEN``, ``CLN``, ``PEN`` are fluid and solid)."""
    types: dict[str, set[str]] = {}
    for kind in ("fluid", "solid"):
        for code in code_lists().positions[kind][0].codes:
            types.setdefault(code, set()).add(kind)
    return {code: frozenset(kinds) for code, kinds in types.items()}


def sample_type_checked(
    sample_type: Any,
    *,
    kind: str = "",
    material_type: str = "",
    default_kind: str = "",
    field: str = "sample_type",
) -> tuple[str, str, str]:
    """``(SPREC type, kind, MIABIS material type)``, or a DomainError saying what is allowed.

    ``kind`` is needed only where the type is listed as both fluid and solid (or is ``XXX``/``ZZZ``);
    ``material_type`` only where SPREC has no type for the material (``ZZZ``: DNA, RNA, plasma …)."""
    code = str(sample_type or "").strip().upper()
    kinds = sample_types().get(code)
    if kinds is None:
        raise DomainError(
            _("Sample type %(value)r is not a SPREC v3.0 type of sample; use one of %(allowed)s.")
            % {"value": sample_type, "allowed": ", ".join(sorted(sample_types()))},
            field=field,
            code="sample_type",
        )
    if kind and kind not in kinds:
        raise DomainError(
            _("Sample type %(code)s is not a %(kind)s type; it is %(kinds)s.")
            % {"code": code, "kind": kind, "kinds": " or ".join(sorted(kinds))},
            field="kind",
        )
    if not kind and default_kind in kinds:
        kind = default_kind
    if not kind and len(kinds) > 1:
        raise DomainError(
            _("Sample type %(code)s exists for fluid and solid samples; say which (kind).") % {"code": code},
            field="kind",
        )
    kind = kind or next(iter(kinds))
    material = (material_type or "").strip() or material_for_sprec(code) or ""
    if material not in material_types():
        raise DomainError(
            _("Material type %(value)r is not a MIABIS sample type; use one of %(allowed)s.")
            % {"value": material or material_type, "allowed": ", ".join(sorted(material_types()))},
            field="material_type",
            code="material_type",
        )
    return code, kind, material


def sprec_error(error: sprec.SprecError, *, field: str) -> DomainError:
    """One DomainError whose message lists every problem (position or fact, value, allowed codes)."""
    # each problem's message is a translated sentence already (specimens.sprec.errors)
    message = " ".join(str(problem.message) for problem in error.errors) or str(error)
    return DomainError(message, field=field, code="sprec")


def sprec_code_for(*, kind: str, sample_type: str, facts: dict[str, Any], entered: str = "") -> tuple[str, bool]:
    """``(code, entered)``: the entered code after validation, else the code derived from ``facts``."""
    if entered.strip():
        try:
            decoded = sprec.decode(entered.strip().upper())
        except sprec.SprecError as error:
            raise sprec_error(error, field="sprec_code") from None
        code = decoded.code
        if decoded.kind != kind or code.split("-")[0] not in (sample_type, "XXX"):
            raise DomainError(
                _("SPREC code %(code)s does not describe a %(kind)s sample of type %(type)s.")
                % {"code": code, "kind": kind, "type": sample_type},
                field="sprec_code",
                code="sprec",
            )
        return code, True
    try:
        return sprec.derive(kind, {**facts, "sample_type": sample_type}).code, False
    except sprec.SprecError as error:
        raise sprec_error(error, field="facts") from None
