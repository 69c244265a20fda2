"""Fitting the human-readable lines into the text box: shrink, then truncate, never overflow.

All lines share one size: the largest (up to ``MAX_PT``) that lets them all stand in the box's height and the
widest of them in its width, but never below ``MIN_PT``. Lines that do not fit the height even at ``MIN_PT`` are
left off (the barcode line comes first, so it is the last to go); a line still too wide is cut with an ellipsis.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

MAX_PT = 8.0
MIN_PT = 4.0
LEADING = 1.2  # line height as a multiple of the font size
PT_MM = 25.4 / 72
ELLIPSIS = "…"


@dataclass(frozen=True)
class FittedLine:
    """One line as printed: its text, its font size (pt) and the top of its line box (mm, in the text box)."""

    text: str
    size: float
    top: float


def fit_lines(
    texts: list[str], width: float, height: float, measure: Callable[[str, float], float]
) -> list[FittedLine]:
    """``texts`` fitted into a ``width`` x ``height`` mm box; ``measure(text, size_pt)`` gives a width in mm."""
    texts = [t for t in (" ".join(t.split()) for t in texts) if t]
    if not texts or width <= 0:
        return []
    size = min(MAX_PT, height / (len(texts) * LEADING * PT_MM))
    if size < MIN_PT:
        size = MIN_PT
        texts = texts[: int(height // (MIN_PT * LEADING * PT_MM))]
        if not texts:
            return []
    # One size for every line: the widest line sets it, down to MIN_PT; a line still too wide is then cut.
    widest = max(measure(text, size) / width for text in texts)
    if widest > 1:
        size = max(MIN_PT, size / widest * 0.999)
    fitted = []
    for index, text in enumerate(texts):
        if measure(text, size) > width:
            text = _truncate(text, width, size, measure)
        if text:
            fitted.append(FittedLine(text, size, index * size * LEADING * PT_MM))
    return fitted


def _truncate(text: str, width: float, size: float, measure: Callable[[str, float], float]) -> str:
    """The longest start of ``text`` that fits ``width`` with an ellipsis after it ("" if not even one letter)."""
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if measure(text[:middle].rstrip() + ELLIPSIS, size) <= width:
            low = middle
        else:
            high = middle - 1
    return text[:low].rstrip() + ELLIPSIS if low else ""
