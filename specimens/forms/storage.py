"""Forms of the storage pages: a unit, a cell to place into, a bulk scan, how many free cells to find."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ..choices import MAX_BOX_SIDE, StorageKind
from ..services.storage import MAX_BULK

_SEPARATORS = re.compile(r"[\s,;]+")


def _grid_field(label: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=1,
        max_value=MAX_BOX_SIDE,
        required=False,
        help_text=_("Boxes only: e.g. 9 x 9, 10 x 10, or 8 rows x 12 columns for a plate."),
    )


class StorageUnitForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=StorageKind.choices)
    name = forms.CharField(label=_("Name"), max_length=100)
    code = forms.CharField(
        label=_("Code"), max_length=40, help_text=_("Scannable code, unique in the biobank, e.g. FRZ-01 or BOX-0042.")
    )
    temperature_c = forms.IntegerField(
        label=_("Temperature (°C)"), min_value=-273, max_value=100, required=False, help_text=_("Set point.")
    )
    rows = _grid_field(_("Rows"))
    columns = _grid_field(_("Columns"))

    def __init__(self, *args: object, kinds: list[str] | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if kinds is not None:
            field = self.fields["kind"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [(value, label) for value, label in StorageKind.choices if value in kinds]


class StorageUnitEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    code = forms.CharField(label=_("Code"), max_length=40)
    temperature_c = forms.IntegerField(label=_("Temperature (°C)"), min_value=-273, max_value=100, required=False)
    rows = _grid_field(_("Rows"))
    columns = _grid_field(_("Columns"))


class PlaceForm(forms.Form):
    barcode = forms.CharField(
        label=_("Barcode"),
        max_length=64,
        help_text=_("Scan the tube: the scanner types the code and Enter."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True, "spellcheck": "false"}),
    )


class BulkPlaceForm(forms.Form):
    lines = forms.CharField(
        label=_("Barcodes, one per line"),
        widget=forms.Textarea(attrs={"rows": 12, "autocomplete": "off", "spellcheck": "false", "autofocus": True}),
        help_text=_(
            "Scan one tube per line (the scanner types the code and Enter). To choose the cell, add the position "
            "after the barcode, e.g. “S-000123 B4”; lines without one take the next free cells, row by row. "
            "A tube from another box or cell is moved here; a tube already in this box stays where it is."
        ),
    )

    def clean_lines(self) -> list[tuple[str, str | None]]:
        placements: list[tuple[str, str | None]] = []
        for line in self.cleaned_data["lines"].splitlines():
            parts = [part for part in _SEPARATORS.split(line.strip()) if part]
            if not parts:
                continue
            if len(parts) > 2:
                raise forms.ValidationError(
                    _("“%(line)s”: write a barcode and at most one position per line.") % {"line": line.strip()}
                )
            placements.append((parts[0], parts[1] if len(parts) == 2 else None))
        if not placements:
            raise forms.ValidationError(_("Scan at least one barcode."))
        if len(placements) > MAX_BULK:
            raise forms.ValidationError(
                _("At most %(max)s lines at once; this has %(count)s.") % {"max": MAX_BULK, "count": len(placements)}
            )
        return placements


class FreePositionsForm(forms.Form):
    n = forms.IntegerField(label=_("How many free cells"), min_value=1, max_value=MAX_BULK, initial=10)
