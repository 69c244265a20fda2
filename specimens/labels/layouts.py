"""Label sizes and how they come: on A4 or Letter sheets for laser printers, or on a roll (one label a page).

The sizes are the common cryo-label formats (laser sheets and thermal-transfer rolls sold for cryovials,
microtubes and boxes). Sheet grids are nominal: the grid is centred on the page with the pitch given here, which
matches most stock of that size; a printer that shifts the page is corrected in its driver, as for any label sheet.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .model import LabelError

A4 = (210.0, 297.0)
LETTER = (215.9, 279.4)


@dataclass(frozen=True)
class LabelSize:
    """One label's printable face, in millimetres, and what it is for."""

    key: str
    width: float
    height: float
    description: str | Promise  # translated when shown


@dataclass(frozen=True)
class Sheet:
    """A page holding a grid of labels: ``columns`` x ``rows`` cells ``pitch_x``/``pitch_y`` apart (label plus
    gap), the grid centred on the page."""

    paper: str
    page_width: float
    page_height: float
    columns: int
    rows: int
    pitch_x: float
    pitch_y: float

    @property
    def cells(self) -> int:
        return self.columns * self.rows


@dataclass(frozen=True)
class Layout:
    """A label size as printed: on a sheet, or on a roll (``sheet`` is ``None``: one label a page, for thermal
    printers driven as PDF printers)."""

    key: str
    size: LabelSize
    sheet: Sheet | None

    @property
    def per_page(self) -> int:
        return self.sheet.cells if self.sheet else 1

    def page_size(self) -> tuple[float, float]:
        if self.sheet is None:
            return self.size.width, self.size.height
        return self.sheet.page_width, self.sheet.page_height

    def cell_origin(self, index: int) -> tuple[float, float]:
        """Top-left corner (mm) of cell ``index`` on its page, counted row by row from the top left."""
        sheet = self.sheet
        if sheet is None:
            return 0.0, 0.0
        grid_w = (sheet.columns - 1) * sheet.pitch_x + self.size.width
        grid_h = (sheet.rows - 1) * sheet.pitch_y + self.size.height
        left = (sheet.page_width - grid_w) / 2
        top = (sheet.page_height - grid_h) / 2
        row, column = divmod(index % sheet.cells, sheet.columns)
        return left + column * sheet.pitch_x, top + row * sheet.pitch_y


SIZES = {
    size.key: size
    for size in (
        LabelSize("1.28x0.5in", 32.5, 12.7, gettext_lazy("1.28 x 0.5 in: 1.5-2 mL cryovials")),
        LabelSize("1x0.5in", 25.4, 12.7, gettext_lazy("1 x 0.5 in: 0.5-2 mL microtubes and cryovials")),
        LabelSize("38x13mm", 38.0, 13.0, gettext_lazy("38 x 13 mm: 2-5 mL cryovials")),
        LabelSize("2x1in", 50.8, 25.4, gettext_lazy("2 x 1 in: boxes, racks, 15-50 mL tubes and bags")),
    )
}

# (size, paper, columns, rows, pitch_x, pitch_y): every grid fits its page with at least 5 mm of margin.
_SHEETS = (
    ("1.28x0.5in", "letter", 5, 20, 38.1, 12.7),
    ("1.28x0.5in", "a4", 5, 22, 38.1, 12.7),
    ("1x0.5in", "letter", 7, 20, 28.6, 12.7),
    ("1x0.5in", "a4", 7, 22, 28.0, 12.7),
    ("38x13mm", "letter", 5, 19, 40.0, 13.5),
    ("38x13mm", "a4", 5, 21, 40.0, 13.5),
    ("2x1in", "letter", 3, 10, 63.5, 25.4),
    ("2x1in", "a4", 3, 11, 63.5, 25.4),
)


def _layouts() -> dict[str, Layout]:
    layouts: dict[str, Layout] = {}
    for key, paper, columns, rows, pitch_x, pitch_y in _SHEETS:
        page_w, page_h = A4 if paper == "a4" else LETTER
        sheet = Sheet(paper, page_w, page_h, columns, rows, pitch_x, pitch_y)
        layouts[f"{key}-{paper}"] = Layout(f"{key}-{paper}", SIZES[key], sheet)
    for key, size in SIZES.items():
        layouts[f"{key}-roll"] = Layout(f"{key}-roll", size, None)
    return layouts


LAYOUTS: dict[str, Layout] = _layouts()


def get_layout(layout: str | Layout) -> Layout:
    """The layout named ``layout`` (a ``Layout`` passes through), or a ``LabelError`` naming those offered."""
    if isinstance(layout, Layout):
        return layout
    try:
        return LAYOUTS[layout]
    except KeyError:
        raise LabelError(
            _("Unknown label layout %(layout)s; choose one of: %(choices)s.")
            % {"layout": layout, "choices": ", ".join(LAYOUTS)},
            field="layout",
        ) from None
