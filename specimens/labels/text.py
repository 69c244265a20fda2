"""Fitting the human-readable lines into the text box: shrink, then truncate, never overflow.

All lines share one size, the largest that lets them all stand in the box's height (between ``MAX_PT`` and
``MIN_PT``); lines that do not fit even at the smallest size are left off (the barcode line comes first, so it is
the last to go). A line too wide for the box is shrunk on its own down to ``MIN_PT``, then cut with an ellipsis.
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
    fitted = []
    for index, text in enumerate(texts):
        line_size = size
        natural = measure(text, size)
        if natural > width:
            line_size = max(MIN_PT, size * width / natural * 0.999)
            if measure(text, line_size) > width:
                text = _truncate(text, width, line_size, measure)
        if text:
            fitted.append(FittedLine(text, line_size, index * size * LEADING * PT_MM))
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
