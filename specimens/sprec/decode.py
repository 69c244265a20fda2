"""``decode``: a SPREC code string to its seven elements, or every invalid position at once."""

from __future__ import annotations

from dataclasses import dataclass

from .codelists import KINDS, Element, Kind, PositionSpec, code_lists
from .errors import SprecError, SprecProblem, _, kind_problem, shown

MAX_CODE_LENGTH = 64  # a v3.0 code has 19 characters; anything much longer is not a code (and not worth scanning)


@dataclass(frozen=True, slots=True)
class Decoded:
    """A valid SPREC code: its canonical spelling, its kind and its seven elements."""

    code: str
    kind: Kind
    elements: tuple[Element, ...]

    @property
    def flagged(self) -> tuple[Element, ...]:
        """The elements whose code the reference data marks (v3-added, unverified, conflict): show their status."""
        return tuple(element for element in self.elements if element.status)


def _problems(parts: list[str], specs: tuple[PositionSpec, ...], kind: Kind) -> list[SprecProblem]:
    problems = []
    for part, spec in zip(parts, specs, strict=True):
        if len(part) != spec.length:
            message = _(
                "Position %(position)d (%(element)s) takes %(length)d character(s) in a %(kind)s code; "
                "%(value)s has %(count)d."
            ) % {
                "position": spec.position,
                "element": spec.element,
                "length": spec.length,
                "kind": kind,
                "value": shown(part) or '""',
                "count": len(part),
            }
            problems.append(SprecProblem(message, part, position=spec.position, code="wrong_length"))
        elif part not in spec.codes:
            message = _(
                "Position %(position)d (%(element)s): %(value)s is not a SPREC %(version)s code for %(kind)s "
                "samples; allowed: %(allowed)s."
            ) % {
                "position": spec.position,
                "element": spec.element,
                "value": part,
                "version": code_lists().version,
                "kind": kind,
                "allowed": spec.allowed,
            }
            problems.append(SprecProblem(message, part, position=spec.position, code="invalid_choice"))
    return problems


def _kind_mismatch(canonical: str, parts: list[str], kind: Kind) -> list[SprecProblem]:
    """An invalid code of ``kind`` that is a valid code of the other kind: a first problem on the kind, naming both
    kinds, before the positions that are only wrong because of the kind."""
    lists = code_lists().positions
    for other in KINDS:
        if other != kind and not _problems(parts, lists[other], other):
            message = _(
                "%(value)s is a %(other)s SPREC code, not a %(kind)s one; allowed kinds: fluid, solid. Ask for "
                "kind %(other)s, or give no kind to read it from the code."
            ) % {"value": canonical, "other": other, "kind": kind}
            return [SprecProblem(message, kind, fact="kind", code="kind_mismatch")]
    return []


def _guess_kind(parts: list[str]) -> Kind:
    """Fluid and solid codes differ at position 5 (one letter against three); failing that, the kind under which
    fewer positions are wrong (fluid on a tie), so the errors name the right lists."""
    if len(parts[4]) == 3:
        return "solid"
    if len(parts[4]) == 1:
        return "fluid"
    lists = code_lists().positions
    counts = {kind: len(_problems(parts, lists[kind], kind)) for kind in KINDS}
    return "solid" if counts["solid"] < counts["fluid"] else "fluid"


def decode(code: str, kind: Kind | None = None) -> Decoded:
    """The seven elements of ``code`` (hyphen-separated; case and surrounding spaces ignored).

    ``kind`` (``"fluid"``/``"solid"``) is read from the code when not given. Raises :class:`SprecError` listing every
    invalid position (its number, its value, the allowed codes), or the code as a whole when it is not seven
    hyphen-separated elements. Codes the reference data marks unverified, conflicting or v3-added are accepted;
    their ``status`` says so."""
    if not isinstance(code, str):
        message = _("A SPREC code is a text of seven hyphen-separated elements, not %(value)s.") % {
            "value": shown(code)
        }
        raise SprecError([SprecProblem(message, shown(code), code="invalid")])
    if len(code) > MAX_CODE_LENGTH:
        message = _("A SPREC code has at most %(limit)d characters; this one has %(count)d.") % {
            "limit": MAX_CODE_LENGTH,
            "count": len(code),
        }
        raise SprecError([SprecProblem(message, shown(code), code="too_long")])
    canonical = code.strip().upper()
    parts = canonical.split("-")
    if len(parts) != 7:
        message = _(
            "A SPREC code has seven elements separated by hyphens (e.g. SER-SST-A-B-N-A-E); %(value)s has %(count)d."
        ) % {"value": shown(code) or '""', "count": len(parts)}
        raise SprecError([SprecProblem(message, shown(code), code="wrong_element_count")])
    if kind is None:
        kind = _guess_kind(parts)
    elif kind not in KINDS:
        raise SprecError([kind_problem(kind)])
    specs = code_lists().positions[kind]
    problems = _problems(parts, specs, kind)
    if problems:
        raise SprecError(_kind_mismatch(canonical, parts, kind) + problems)
    return Decoded(canonical, kind, tuple(spec.codes[part] for part, spec in zip(parts, specs, strict=True)))
