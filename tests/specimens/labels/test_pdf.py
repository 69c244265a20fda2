"""The PDF's geometry and text: sheets fit their paper, text stays on its label, pages fill in order, any script
prints, and bad input is refused with a sentence naming the barcode and the size."""

from __future__ import annotations

import pytest

from specimens.labels import LAYOUTS, Label, LabelError, Symbology, render_pdf
from specimens.labels.text import MIN_PT, fit_lines

from .helpers import pages

PT_TO_MM = 25.4 / 72
LONG = ("Whole blood, EDTA, buffy coat removed, second spin", "PID P-7F3K2-XXXXXXXXXXXXXXXXXXXX", "2026-12-06 09:41")


@pytest.mark.parametrize("key", [k for k, layout in LAYOUTS.items() if layout.sheet])
def test_every_sheet_fits_its_paper_with_margins_and_no_overlap(key):
    layout = LAYOUTS[key]
    sheet = layout.sheet
    first = layout.cell_origin(0)
    last_x, last_y = layout.cell_origin(sheet.cells - 1)
    assert min(first) >= 5
    assert last_x + layout.size.width <= sheet.page_width - 5
    assert last_y + layout.size.height <= sheet.page_height - 5
    assert sheet.pitch_x >= layout.size.width and sheet.pitch_y >= layout.size.height


@pytest.mark.parametrize("symbology", list(Symbology))
@pytest.mark.parametrize("key", ["1x0.5in-a4", "1.28x0.5in-roll", "38x13mm-letter", "2x1in-a4"])
def test_text_never_leaves_its_label(key, symbology):
    layout = LAYOUTS[key]
    document = pages(render_pdf([Label("BB-000123", LONG)] * 2, layout=key, symbology=symbology, start_position=0))
    page = document[0]
    page_height = page.get_size()[1]
    text = page.get_textpage()
    assert text.count_chars() > 10
    cells = [layout.cell_origin(i) for i in range(2 if layout.sheet else 1)]
    for index in range(text.count_chars()):
        left, bottom, right, top = (v * PT_TO_MM for v in text.get_charbox(index))
        if right - left <= 0:
            continue  # a space has no box
        y_top, y_bottom = page_height * PT_TO_MM - top, page_height * PT_TO_MM - bottom
        width, height = layout.size.width, layout.size.height
        inside = [
            x - 1e-6 <= left and right <= x + width and y - 1e-6 <= y_top and y_bottom <= y + height for x, y in cells
        ]
        assert any(inside), (index, left, y_top)


def test_lines_share_one_size_are_cut_when_too_wide_and_left_off_when_too_many():
    def measure(text, size):
        return len(text) * size * PT_TO_MM * 0.5

    lines = fit_lines(["BB-1", "x" * 200, "c", "d", "e", "f"], 20, 8, measure)
    assert {line.size for line in lines} == {MIN_PT}
    assert [line.text for line in lines][:1] == ["BB-1"] and lines[1].text.endswith("…") and len(lines) == 4
    assert all(measure(line.text, line.size) <= 20 for line in lines)
    assert fit_lines(["BB-1"], 20, 0.5, measure) == []


def test_many_labels_fill_pages_in_order_after_the_start_position():
    labels = [Label(f"BB-{n:06d}") for n in range(250)]
    document = pages(render_pdf(labels, layout="1.28x0.5in-letter", symbology="datamatrix", start_position=95))
    assert len(document) == 4  # 5 on the first page (cells 95-99), then 100, 100 and 45
    first_page = document[0].get_textpage().get_text_range()
    assert "BB-000004" in first_page and "BB-000005" not in first_page
    assert "BB-000249" in document[3].get_textpage().get_text_range()


def test_lines_in_any_script_are_printed_and_a_missing_glyph_is_shown_not_dropped():
    pdf = render_pdf([Label("BB-1", ("Ωμέγα Жизнь Øre", "中"))], layout="2x1in-roll", symbology="qr")
    text = pages(pdf)[0].get_textpage().get_text_range()
    assert "Ωμέγα Жизнь Øre" in text
    assert "[U+4E2D]" in text


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        (
            {"labels": [Label("BB-" + "9X" * 20)], "layout": "1x0.5in-a4", "symbology": "code128"},
            ["BB-9X9X", "Code 128", "1x0.5in"],
        ),
        ({"labels": [Label("X" * 65)], "layout": "2x1in-a4"}, ["65", "64"]),
        ({"labels": [Label("BB-é")], "layout": "2x1in-a4"}, ["U+00E9"]),
        ({"labels": [Label(" BB-1")], "layout": "2x1in-a4"}, ["BB-1"]),
        ({"labels": [], "layout": "2x1in-a4"}, ["no labels"]),
        ({"labels": [Label("BB-1")], "layout": "3x3in-a4"}, ["3x3in-a4", "2x1in-a4"]),
        ({"labels": [Label("BB-1")], "layout": "2x1in-a4", "symbology": "pdf417"}, ["pdf417", "datamatrix"]),
        ({"labels": [Label("BB-1")], "layout": "2x1in-a4", "start_position": 33}, ["33", "0 to 32"]),
        ({"labels": [Label("BB-1")], "layout": "2x1in-roll", "start_position": 1}, ["0 to 0"]),
    ],
)
def test_bad_input_is_a_label_error_naming_what_is_wrong(kwargs, words):
    with pytest.raises(LabelError) as caught:
        render_pdf(**kwargs)
    assert caught.value.code == "label_invalid"
    for word in words:
        assert word in caught.value.message
