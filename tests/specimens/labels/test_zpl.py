"""The ZPL: one format per label, sized in dots, field data that decodes (through ^FH) to the barcode, nothing
placed past the label's edge, and ^ and ~ never left raw in field data."""

from __future__ import annotations

import re

import pytest

from specimens.labels import LAYOUTS, Label, LabelError, Symbology, render_zpl

COMMAND = re.compile(r"\^([A-Z0-9@]{2})((?:(?!\^).)*)", re.S)


def unhex(data: str) -> str:
    """Field data after ^FH: each _XX is one byte."""
    raw = re.sub(rb"_([0-9A-F]{2})", lambda m: bytes([int(m.group(1), 16)]), data.encode())
    return raw.decode()


# Zebra's ^BC invocation codes (ZPL II guide, "Code 128 Invocation Characters"), read as the printer reads them.
STARTS = {">9": "A", ">:": "B", ">;": "C"}
SWITCHES = {("A", ">5"): "C", ("B", ">5"): "C", ("A", ">6"): "B", ("C", ">6"): "B", ("B", ">7"): "A", ("C", ">7"): "A"}
LITERALS = {">0": ">", "><": "^", ">=": "~"}


def read_bc(data: str) -> tuple[str, int]:
    """The text a ^BC mode N field encodes, and how many Code 128 symbols it takes (start included)."""
    charset, rest, text, symbols = STARTS[data[:2]], data[2:], "", 1
    while rest:
        symbols += 1
        if rest[0] == ">":
            code, rest = rest[:2], rest[2:]
            if (charset, code) in SWITCHES:
                charset = SWITCHES[charset, code]
            else:
                text += LITERALS[code]
        elif charset == "C":
            text, rest = text + rest[:2], rest[2:]
        else:
            text, rest = text + rest[0], rest[1:]
    return text, symbols


def formats(zpl: str) -> list[list[tuple[str, str]]]:
    blocks = re.findall(r"\^XA(.*?)\^XZ", zpl, re.S)
    return [[(name, args.strip()) for name, args in COMMAND.findall(block)] for block in blocks]


def fields_by_kind(block: list[tuple[str, str]]) -> dict[str, list[str]]:
    """Each field's data (after ^FH) under the command that draws it: BC, BX, BQ or A0 (text)."""
    found: dict[str, list[str]] = {}
    kind = ""
    for index, (name, arg) in enumerate(block):
        if name in ("BC", "BX", "BQ", "A0"):
            kind = name
        if name == "FD":
            assert block[index - 1][0] == "FH"
            found.setdefault(kind, []).append(unhex(arg))
    return found


@pytest.mark.parametrize("dpi", [203, 300])
@pytest.mark.parametrize(
    ("symbology", "command", "prefix"), [("code128", "BC", ""), ("datamatrix", "BX", ""), ("qr", "BQ", "MA,")]
)
def test_each_label_is_one_format_sized_in_dots_with_the_barcode_as_field_data(symbology, command, prefix, dpi):
    barcodes = ["BB-000123", "Q^7~x_y>1234"]
    zpl = render_zpl(
        [Label(b, ("Plasma", "P-7F3K2")) for b in barcodes], layout="2x1in-roll", symbology=symbology, dpi=dpi
    )
    blocks = formats(zpl)
    assert len(blocks) == 2
    width, height = round(50.8 * dpi / 25.4), round(25.4 * dpi / 25.4)
    for barcode, block in zip(barcodes, blocks, strict=True):
        args = dict(block)
        assert (int(args["PW"]), int(args["LL"])) == (width, height)
        assert args["CI"] == "28"
        fields = fields_by_kind(block)
        if command == "BC":
            assert [read_bc(d)[0] for d in fields[command]] == [barcode]
        else:
            assert fields[command] == [prefix + barcode]
        assert fields["A0"][:2] == [barcode, "Plasma"]  # the human-readable lines
        for name, arg in block:
            if name == "FD":
                assert "^" not in arg and "~" not in arg
            if name == "FO":
                x, y = (int(v) for v in arg.split(","))
                assert 0 <= x < width and 0 <= y < height


def test_text_blocks_and_code128_bars_stay_inside_the_label_width():
    zpl = render_zpl([Label("BB-000123", ("W" * 80,))], layout="1.28x0.5in-roll", symbology="code128", dpi=300)
    (block,) = formats(zpl)
    width = int(dict(block)["PW"])
    origins = [int(a.split(",")[0]) for n, a in block if n == "FO"]
    blocks = [int(a.split(",")[0]) for n, a in block if n == "FB"]
    assert all(x + w <= width for x, w in zip(origins[1:], blocks, strict=True))
    module = int(dict(block)["BY"])
    text, symbols = read_bc(unhex(next(a for n, a in block if n == "FD")))
    assert (text, symbols) == ("BB-000123", 8)  # start B, "BB-", Code C, "00" "01" "23"
    assert origins[0] + ((symbols + 1) * 11 + 13) * module <= width  # + check symbol, + 13-module stop


def test_a_symbol_too_fine_for_the_printer_is_refused_naming_the_dpi():
    with pytest.raises(LabelError, match=r"BB-000123 .*1x0\.5in.*203 dpi"):
        render_zpl([Label("BB-000123")], layout=LAYOUTS["1x0.5in-a4"], symbology=Symbology.CODE128, dpi=203)
    with pytest.raises(LabelError, match="600"):
        render_zpl([Label("BB-1")], layout="2x1in-roll", dpi=600)
