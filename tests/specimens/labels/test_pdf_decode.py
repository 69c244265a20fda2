"""What the PDF draws scans back to the barcode: every symbology, on a sheet (from a start position) and on a roll."""

from __future__ import annotations

import pytest

from specimens.labels import LAYOUTS, Label, Symbology, render_pdf

from .helpers import cell_image, decode, is_blank, pages, raster

LINES = ("Plasma EDTA", "P-7F3K2", "2026-12-06")


@pytest.mark.parametrize("symbology", list(Symbology))
@pytest.mark.parametrize("layout_key", ["1.28x0.5in-letter", "38x13mm-a4"])
def test_each_drawn_symbol_decodes_to_its_barcode_in_its_cell(symbology, layout_key):
    layout = LAYOUTS[layout_key]
    barcodes = ["BB-000123", "BB-000124", "SP2026/7"]
    pdf = render_pdf([Label(b, LINES) for b in barcodes], layout=layout_key, symbology=symbology, start_position=2)

    image = raster(pages(pdf)[0])
    assert is_blank(cell_image(image, layout, 0)) and is_blank(cell_image(image, layout, 1))
    for offset, barcode in enumerate(barcodes):
        assert decode(cell_image(image, layout, 2 + offset)) == [barcode]


@pytest.mark.parametrize("symbology", list(Symbology))
def test_a_roll_prints_one_label_a_page_and_punctuation_survives(symbology):
    barcodes = ["A>B~C^D_E", "x y%z"]
    document = pages(render_pdf([Label(b) for b in barcodes], layout="2x1in-roll", symbology=symbology))

    assert len(document) == 2
    width, height = document[0].get_size()
    assert (round(width / 72 * 25.4, 1), round(height / 72 * 25.4, 1)) == (50.8, 25.4)
    assert [decode(raster(page)) for page in document] == [[b] for b in barcodes]
