"""Small server-side SVG charts for the dashboards: no JavaScript, no CDN, readable without colour.

Every chart carries its figures three times: as the position and length of its bars, as a value label written beside
each bar, and as a data table (``Chart.rows``, shown under ``<details>`` by ``web/partials/chart.html``). The SVG has
``role="img"`` with an ``aria-label``, a ``<title>`` and a ``<desc>`` saying what it shows. Colours come from the
stylesheet (``.chart__bar``); a chart printed in black and white loses nothing.

Why in-house rather than pygal: pygal's SVG needs its JavaScript (from a CDN by default) for value labels and
tooltips, has no ``role``/``aria-label`` and no data table; two chart shapes in ~150 lines are easier to keep right.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

WIDTH = 640
BAR_HEIGHT = 22
BAR_GAP = 10
LABEL_WIDTH = 190  # horizontal bars: the category names on the left
VALUE_WIDTH = 120  # horizontal bars: the value labels on the right
COLUMN_AREA = 150  # column chart: the height of the tallest column
FONT = 13


@dataclass(frozen=True)
class Bar:
    """One category: its name, its value and, optionally, the text written beside it (``"45 / 50 (90 %)"``)."""

    label: str
    value: float
    text: str = ""
    extra: tuple[str, ...] = ()  # further columns of the data table (e.g. occupied and total positions)


@dataclass(frozen=True)
class Chart:
    title: str
    svg: SafeString
    headers: tuple[str, ...]
    rows: list[tuple[str, ...]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.rows


def _number(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _svg(title: str, summary: str, width: int, height: int, body: str) -> SafeString:
    return format_html(
        '<svg class="chart" role="img" aria-label="{}" viewBox="0 0 {} {}" width="100%" preserveAspectRatio="xMinYMin'
        ' meet" xmlns="http://www.w3.org/2000/svg" focusable="false"><title>{}</title><desc>{}</desc>{}</svg>',
        f"{title}: {summary}" if summary else title,
        width,
        height,
        title,
        summary,
        mark_safe(body),  # noqa: S308 (built below from escaped parts only)
    )


def _summary(bars: Sequence[Bar]) -> str:
    return "; ".join(f"{bar.label} {bar.text or _number(bar.value)}" for bar in bars)


def bar_chart(
    *,
    title: str,
    bars: Sequence[Bar],
    headers: tuple[str, ...],
    maximum: float | None = None,
) -> Chart:
    """Horizontal bars, one per category, each with its name on the left and its value written on the right.

    ``maximum``: the value of a full bar (100 for percentages); the largest value otherwise. ``headers``: the data
    table's columns (category, value, then one per ``Bar.extra``).
    """
    top = maximum if maximum else max((bar.value for bar in bars), default=0) or 1
    plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    parts = []
    for index, bar in enumerate(bars):
        y = index * (BAR_HEIGHT + BAR_GAP)
        length = round(plot * min(bar.value, top) / top, 1)
        middle = y + BAR_HEIGHT / 2 + FONT / 3
        label = bar.label if len(bar.label) <= 26 else bar.label[:25] + "…"
        parts.append(
            f'<g class="chart__item"><text class="chart__label" x="{LABEL_WIDTH - 8}" y="{middle}" '
            f'text-anchor="end" font-size="{FONT}">{escape(label)}</text>'
            f'<rect class="chart__track" x="{LABEL_WIDTH}" y="{y}" width="{plot}" height="{BAR_HEIGHT}"/>'
            f'<rect class="chart__bar" x="{LABEL_WIDTH}" y="{y}" width="{length}" height="{BAR_HEIGHT}"/>'
            f'<text class="chart__value" x="{LABEL_WIDTH + length + 6}" y="{middle}" font-size="{FONT}">'
            f"{escape(bar.text or _number(bar.value))}</text></g>"
        )
    height = max(len(bars) * (BAR_HEIGHT + BAR_GAP) - BAR_GAP, BAR_HEIGHT)
    rows = [(bar.label, bar.text or _number(bar.value), *bar.extra) for bar in bars]
    return Chart(title, _svg(title, _summary(bars), WIDTH, height, "".join(parts)), headers, rows)


def column_chart(
    *,
    title: str,
    bars: Sequence[Bar],
    headers: tuple[str, ...],
    label_every: Callable[[int], bool] = lambda index: True,
) -> Chart:
    """Vertical columns in order (months, for instance), each value written above its column and each name below."""
    top = max((bar.value for bar in bars), default=0) or 1
    count = max(len(bars), 1)
    step = WIDTH / count
    width = step * 0.7
    parts = [f'<line class="chart__axis" x1="0" y1="{COLUMN_AREA + 20}" x2="{WIDTH}" y2="{COLUMN_AREA + 20}"/>']
    for index, bar in enumerate(bars):
        x = round(index * step + (step - width) / 2, 1)
        height = round(COLUMN_AREA * bar.value / top, 1)
        y = COLUMN_AREA + 20 - height
        centre = round(x + width / 2, 1)
        parts.append(
            f'<g class="chart__item"><rect class="chart__bar" x="{x}" y="{y}" width="{round(width, 1)}" '
            f'height="{height}"/><text class="chart__value" x="{centre}" y="{y - 5}" text-anchor="middle" '
            f'font-size="{FONT}">{escape(bar.text or _number(bar.value))}</text>'
            + (
                f'<text class="chart__label" x="{centre}" y="{COLUMN_AREA + 38}" text-anchor="middle" '
                f'font-size="{FONT - 1}">{escape(bar.label)}</text>'
                if label_every(index)
                else ""
            )
            + "</g>"
        )
    rows = [(bar.label, bar.text or _number(bar.value), *bar.extra) for bar in bars]
    return Chart(title, _svg(title, _summary(bars), WIDTH, COLUMN_AREA + 44, "".join(parts)), headers, rows)
