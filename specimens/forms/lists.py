"""The list's filters, the scan box, and the label form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from catalog.models import Collection

from ..choices import LineageKind, SpecimenStatus
from ..labels import LAYOUTS, ZPL_DPI, Symbology
from ..selectors.lists import SpecimenFilters
from ..services.labels import PDF, ZPL
from .choices import sample_type_choices

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SCAN_ATTRS = {"autocomplete": "off", "spellcheck": "false", "autocapitalize": "off"}


class SpecimenFilterForm(forms.Form):
    barcode = forms.CharField(label=_("Barcode"), required=False, max_length=64, help_text=_("or its beginning"))
    pid = forms.CharField(label=_("Donor PID"), required=False, max_length=20)
    collection = forms.ModelChoiceField(
        label=_("Collection"), queryset=Collection.objects.none(), required=False, empty_label=_("All")
    )
    sample_type = forms.ChoiceField(label=_("Sample type"), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("All")), *SpecimenStatus.choices], required=False)
    lineage = forms.ChoiceField(label=_("Lineage"), choices=[("", _("All")), *LineageKind.choices], required=False)
    collected_from = forms.DateField(label=_("Collected from"), required=False, widget=DATE)
    collected_to = forms.DateField(label=_("Collected until"), required=False, widget=DATE)

    def __init__(self, *args: Any, collections: QuerySet[Collection], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, Any] = self.fields
        fields["collection"].queryset = collections
        fields["sample_type"].choices = [("", _("All")), *sample_type_choices()]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data  # the same dict, typed without None
        start, end = data.get("collected_from"), data.get("collected_to")
        if start and end and end < start:
            self.add_error("collected_to", _("The end of the range comes before its start."))
        return data

    def filters(self) -> SpecimenFilters:
        if not self.is_bound or not self.is_valid():
            return SpecimenFilters()
        return SpecimenFilters(**self.cleaned_data)


class ScanForm(forms.Form):
    """A scanner types the code and Enter: one field, focused when the page opens."""

    code = forms.CharField(
        label=_("Scan a barcode or PID"),
        max_length=64,
        widget=forms.TextInput(attrs={**SCAN_ATTRS, "autofocus": True, "inputmode": "text"}),
    )


class LabelsForm(forms.Form):
    barcodes = forms.CharField(
        label=_("Barcodes"),
        widget=forms.Textarea(attrs={**SCAN_ATTRS, "rows": 8}),
        help_text=_("One barcode a line; scan them one after the other."),
    )
    layout = forms.ChoiceField(
        label=_("Label layout"),
        choices=[(key, format_lazy("{} — {}", key, layout.size.description)) for key, layout in LAYOUTS.items()],
        initial="1.28x0.5in-a4",
    )
    symbology = forms.ChoiceField(
        label=_("Symbol"),
        choices=[(s.value, s.display_name) for s in Symbology],
        initial=Symbology.DATAMATRIX.value,
    )
    output = forms.ChoiceField(
        label=_("Output"),
        choices=[(PDF, _("PDF (label sheet or roll)")), (ZPL, _("ZPL (Zebra printer)"))],
        initial=PDF,
        widget=forms.RadioSelect,
    )
    start_position = forms.IntegerField(
        label=_("First free label on the sheet"),
        min_value=1,
        initial=1,
        help_text=_("For a partly used sheet: 1 is the top-left label, counted along the rows. PDF only."),
    )
    dpi = forms.TypedChoiceField(
        label=_("Printer resolution (ZPL)"),
        choices=[(dpi, f"{dpi} dpi") for dpi in ZPL_DPI],
        coerce=int,
        initial=300,
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data  # the same dict, typed without None
        layout, start = LAYOUTS.get(data.get("layout") or ""), data.get("start_position")
        if layout is not None and start is not None and start > layout.per_page:
            self.add_error(
                "start_position",
                _("A %(layout)s page holds %(count)d labels: choose a first free label from 1 to %(count)d.")
                % {"layout": layout.key, "count": layout.per_page},
            )
        return data

    def barcode_list(self) -> list[str]:
        seen: dict[str, None] = {}
        for line in self.cleaned_data["barcodes"].replace(",", "\n").splitlines():
            if line.strip():
                seen.setdefault(line.strip(), None)
        return list(seen)
