"""What a barcode may be: the characters of ``BARCODE_RE``, and no ``.`` or ``..`` between slashes (a URL resolves
them, so the API's address of ``A/../B`` would be specimen B's)."""

from __future__ import annotations

import pytest

from specimens.services.barcodes import barcode_problem


@pytest.mark.parametrize("barcode", ["A/../B", "A/./B", "A/.", "A/..", "A/../../x", "B1/./"])
def test_dot_segments_are_refused_with_a_reason(barcode):
    problem = barcode_problem(barcode)

    assert problem is not None and ". or .." in problem and barcode in problem


@pytest.mark.parametrize("barcode", ["A.B", "A/.B/C", "A/..B", "A/B..", "BB00-0001-2", "x/y:z+1", "A...B/C"])
def test_dots_inside_a_segment_are_allowed(barcode):
    assert barcode_problem(barcode) is None
