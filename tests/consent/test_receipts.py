"""The PDF receipt's layout (issue 16, item 8): long German labels and long names wrap in their column instead of
overprinting each other. Checked on the glyph boxes pdfium reports for every printed character."""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest

from consent.receipts import receipt_pdf
from tests.consent.factories import make_catalogue, make_donor, media_root, record  # noqa: F401

pytestmark = pytest.mark.django_db

LONG_NAME = "Maximiliane Theodora Friederike von Hohenstein-Wittgenstein-Berleburg zu Sayn und Hachenburg"
LONG_REPRESENTATIVE = "Konstantin Alexander Leopold Freiherr von Drachenfels-Königswinter"


def glyph_boxes(pdf: bytes) -> list[tuple[int, str, tuple[float, float, float, float]]]:
    """(page, character, (left, bottom, right, top)) of every visible character, in points."""
    document = pdfium.PdfDocument(pdf)
    boxes = []
    for number in range(len(document)):
        text = document[number].get_textpage()
        for index in range(text.count_chars()):
            char = text.get_text_range(index, 1)
            if char.strip():
                boxes.append((number, char, text.get_charbox(index)))
    return boxes


def overlaps(pdf: bytes, slack: float = 0.4) -> list[str]:
    """Pairs of characters whose glyph boxes intersect by more than ``slack`` points both ways (kerning and the
    slanted strokes of neighbours touch, overprinted text covers).

    A character and the one printed right after it are not compared: their boxes may overlap by design (DejaVu's
    'J' hangs left under a 'K' or 'L' before it, as in a pseudonym "…KJ…"). Text printed over other text still shows,
    as every other pair of the two runs is compared."""
    found = []
    boxes = glyph_boxes(pdf)
    for i, (page, char, (left, bottom, right, top)) in enumerate(boxes):
        for other_page, other, (left2, bottom2, right2, top2) in boxes[i + 2 :]:
            if other_page != page:
                continue
            wide = min(right, right2) - max(left, left2)
            high = min(top, top2) - max(bottom, bottom2)
            if wide > slack and high > slack:
                found.append(f"page {page + 1}: {char!r} at {left:.0f},{bottom:.0f} under {other!r}")
    return found


def test_a_german_receipt_with_long_labels_and_names_prints_nothing_over_anything(
    consent_officer_a, biobank_a, django_capture_on_commit_callbacks
):
    template = make_catalogue(biobank_a, actor=consent_officer_a)
    consent = record(
        consent_officer_a,
        make_donor(biobank_a),
        template,
        language="de",
        signer_name=LONG_NAME,
        representative_name=LONG_REPRESENTATIVE,
        representative_relation="gesetzlicher Vormund nach Bestellung durch das Familiengericht",
        representative_legal_basis="legal_guardian",
    )

    pdf = receipt_pdf(consent)

    text = "".join(char for _page, char, _box in glyph_boxes(pdf))
    assert "GetippterNamederunterschreibendenPerson" in text  # the label, whole, in German
    assert "Hohenstein-Wittgenstein-Berleburg" in text  # the name, whole
    assert overlaps(pdf) == []


def test_the_overlap_check_lets_neighbours_touch():
    """A 'J' after a 'K' (a pseudonym such as PSN-…KJ…) reaches under the 'K' in DejaVu Sans: that is the font, not
    text printed over text. CI failed on it once, when a test's random pseudonym held "KJ"."""
    from fpdf import FPDF

    from consent.receipt_font import FONT_DIR

    pdf = FPDF()
    pdf.add_page()
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.set_font("DejaVu", "", 9)
    pdf.cell(0, 5, "PSN-KJ7Q LJ TJ rJ")

    assert overlaps(bytes(pdf.output())) == []


def test_the_overlap_check_sees_overprinted_text():
    from fpdf import FPDF

    from consent.receipt_font import FONT_DIR

    pdf = FPDF()
    pdf.add_page()
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.set_font("DejaVu", "", 9)
    pdf.cell(20, 5, "A label far too long for its cell")
    pdf.cell(0, 5, "The value")

    assert overlaps(bytes(pdf.output()))
