"""What the receipt font can print: the PDF receipt is set in DejaVu Sans (regular and bold, shipped in
``consent/data/fonts``). fpdf2 drops a character the font has no glyph for, so the "exact text" on a receipt could
silently lose a letter. Texts that will be printed are therefore checked when they are saved
(``receipt_text_check``: template and module wording), and anything else printed (names typed at signing) goes
through ``receipt_printable``, which shows a missing character as ``[U+XXXX]`` instead of dropping it.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path

from django.utils.translation import gettext as _

from biobank.errors import DomainError

FONT_DIR = Path(__file__).resolve().parent / "data" / "fonts"
FONT_FILES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")
_LAYOUT = frozenset("\n\r\t")


@lru_cache(maxsize=1)
def _printable_codepoints() -> frozenset[int]:
    """Code points with a glyph in every receipt font (titles are bold, text regular)."""
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]  # fontTools ships no type information

    sets = []
    for name in FONT_FILES:
        font = TTFont(str(FONT_DIR / name), lazy=True)
        sets.append(set(font.getBestCmap()))
        font.close()
    return frozenset(set.intersection(*sets))


def missing_characters(text: str) -> list[str]:
    """The distinct characters of ``text`` the receipt font cannot print, in order of appearance."""
    printable = _printable_codepoints()
    seen: list[str] = []
    for char in text:
        if char not in _LAYOUT and ord(char) not in printable and char not in seen:
            seen.append(char)
    return seen


def receipt_text_check(text: str, *, field: str, where: str) -> None:
    """Refuse ``text`` (the wording of ``where``) if the receipt would not print one of its characters."""
    missing = missing_characters(text)
    if missing:
        named = ", ".join(f"“{c}” (U+{ord(c):04X} {unicodedata.name(c, 'unnamed character')})" for c in missing[:5])
        raise DomainError(
            _(
                "The %(where)s contains characters the receipt font cannot print: %(named)s. The "
                "receipt must show the exact text; replace them (e.g. with a plain letter or "
                "punctuation mark)."
            )
            % {"where": where, "named": named},
            field=field,
            code="unprintable_character",
        )


def receipt_printable(text: str) -> str:
    """``text`` with each character the font lacks shown as ``[U+XXXX]`` (never silently dropped)."""
    missing = set(missing_characters(text))
    if not missing:
        return text
    return "".join(f"[U+{ord(c):04X}]" if c in missing else c for c in text)
