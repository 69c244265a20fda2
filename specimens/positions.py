"""Reading a typed or scanned position label ("A1", "b12", "AA3") into a row and a column.

Pure functions, no database: the services, the forms and the API read labels the same way.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from biobank.errors import DomainError

from .models import StorageUnit, row_label

_LABEL = re.compile(r"^\s*([A-Za-z]{1,2})\s*0*(\d{1,3})\s*$")


def row_number(letters: str) -> int:
    """``A`` → 1, ``Z`` → 26, ``AA`` → 27 (the inverse of ``row_label``)."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + (ord(letter) - ord("A") + 1)
    return number


def box_size_text(box: StorageUnit) -> str:
    """``10 rows (A-J) x 10 columns (1-10)``: how an error tells the size of a box."""
    rows, columns = box.rows or 0, box.columns or 0
    return _("%(rows)s rows (A-%(last_row)s) x %(columns)s columns (1-%(columns)s)") % {
        "rows": rows,
        "last_row": row_label(rows),
        "columns": columns,
    }


def _label(row: int, column: int) -> str:
    return f"{row_label(row)}{column}" if row >= 1 else f"({row}, {column})"


def position_parse(label: str, box: StorageUnit) -> tuple[int, int]:
    """The (row, column) of ``label`` in ``box``; a ``DomainError`` naming the label, the box size and the rule."""
    match = _LABEL.match(label or "")
    if match is None:
        raise DomainError(
            _(
                "%(label)r is not a position: write a row letter and a column number, e.g. A1 or H12 "
                "(box %(box)s has %(size)s)."
            )
            % {"label": label, "box": box.code, "size": box_size_text(box)},
            field="position",
        )
    row, column = row_number(match.group(1)), int(match.group(2))
    position_check(box, row, column)
    return row, column


def position_check(box: StorageUnit, row: int, column: int) -> None:
    """A ``DomainError`` unless (row, column) is a cell of ``box``."""
    if not box.contains(row, column):
        raise DomainError(
            _("Position %(position)s is outside box %(box)s, which has %(size)s; choose a cell inside the box.")
            % {"position": _label(row, column), "box": box.code, "size": box_size_text(box)},
            field="position",
        )
