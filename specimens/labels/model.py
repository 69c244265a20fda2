"""The plain data a label is printed from, the symbologies offered, and the one error this package raises.

Labels know nothing about specimens: the caller (a view, a task) turns a specimen into a ``Label`` with its barcode
and a few short lines (sample type, PID, date), so this package stays a pure renderer and is tested on its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext as _

from biobank.errors import DomainError

# A barcode is printed in a symbol and typed by scanners into forms: printable ASCII only (no control characters,
# nothing a keyboard wedge cannot type), and short enough for the smallest symbol a cryo label carries.
MAX_BARCODE_LENGTH = 64


class LabelError(DomainError):
    """Labels that cannot be printed as asked (a barcode too long for the symbol at that size, an unknown layout,
    a start position off the sheet): a 400 in the API, a form error in the browser."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message, field=field, code="label_invalid")


class Symbology(StrEnum):
    """The symbol that carries the barcode: Code 128 (1D), Data Matrix ECC 200 (2D) or QR Code (2D)."""

    CODE128 = "code128"
    DATAMATRIX = "datamatrix"
    QR = "qr"

    @property
    def display_name(self) -> str:
        """The symbology's usual name, as messages show it."""
        return {"code128": "Code 128", "datamatrix": "Data Matrix", "qr": "QR Code"}[self.value]


@dataclass(frozen=True)
class Label:
    """One label: the barcode the symbol encodes (also printed as text) and short human-readable lines."""

    barcode: str
    lines: tuple[str, ...] = ()


def parse_symbology(value: str | Symbology) -> Symbology:
    """``value`` as a ``Symbology``, or a ``LabelError`` naming the ones offered."""
    try:
        return Symbology(value)
    except ValueError:
        raise LabelError(
            _("Unknown label symbology %(symbology)s; choose one of: %(choices)s.")
            % {"symbology": value, "choices": ", ".join(s.value for s in Symbology)},
            field="symbology",
        ) from None


def check_labels(labels: Iterable[Label]) -> list[Label]:
    """The labels as a list, each barcode checked: present, printable ASCII, not too long."""
    checked = list(labels)
    if not checked:
        raise LabelError(_("There are no labels to print."), field="labels")
    for label in checked:
        barcode = label.barcode
        if not barcode or barcode.strip() != barcode:
            raise LabelError(
                _("Barcode “%(barcode)s” is empty or starts or ends with a space; a label needs the exact barcode.")
                % {"barcode": barcode},
                field="barcode",
            )
        bad = sorted({c for c in barcode if not " " <= c <= "~"})
        if bad:
            raise LabelError(
                _(
                    "Barcode %(barcode)s contains characters a label symbol cannot carry (%(characters)s); a barcode "
                    "uses printable ASCII letters, digits, spaces and punctuation only."
                )
                % {"barcode": barcode, "characters": ", ".join(f"U+{ord(c):04X}" for c in bad)},
                field="barcode",
            )
        if len(barcode) > MAX_BARCODE_LENGTH:
            raise LabelError(
                _("Barcode %(barcode)s has %(length)s characters; a label barcode has at most %(maximum)s.")
                % {"barcode": barcode, "length": len(barcode), "maximum": MAX_BARCODE_LENGTH},
                field="barcode",
            )
    return checked
