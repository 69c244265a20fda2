"""The small forms of a specimen page's actions, one per step a technician takes on the specimen."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ..choices import QC_UNITS, ConcentrationUnit, QcMeasure, QuantityUnit
from .choices import material_type_choices, sample_type_choices

AMOUNT = {"min_value": Decimal("0.0001"), "max_digits": 16, "decimal_places": 4}
PURPOSES = [
    ("GRU", _("GRU — general research use")),
    ("HMB", _("HMB — health, medical or biomedical research")),
    ("DS", _("DS — research on a named disease")),
    ("POA", _("POA — population origins or ancestry research")),
]
QC_UNIT_CHOICES = [
    ("", _("no unit")),
    *((unit, unit) for unit in sorted({u for units in QC_UNITS.values() for u in units if u})),
]


def _reason(required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=_("Reason"), max_length=500, required=required, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )


class AliquotForm(forms.Form):
    count = forms.IntegerField(label=_("Number of aliquots"), min_value=1, max_value=1000)
    quantity = forms.DecimalField(label=_("Quantity of each"), **AMOUNT)  # type: ignore[arg-type]
    unit = forms.ChoiceField(label=_("Unit"), choices=QuantityUnit.choices, initial=QuantityUnit.ML)
    barcodes = forms.CharField(
        label=_("Scanned barcodes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
        help_text=_("One a line; the others are generated."),
    )

    def barcode_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("barcodes", "").splitlines() if line.strip()]


class DeriveForm(forms.Form):
    sample_type = forms.ChoiceField(label=_("Sample type of the derivative"))
    material_type = forms.ChoiceField(label=_("Material type (MIABIS)"), required=False)
    used_quantity = forms.DecimalField(label=_("Quantity taken from this specimen"), **AMOUNT)  # type: ignore[arg-type]
    used_unit = forms.ChoiceField(label=_("Unit taken"), choices=QuantityUnit.choices, initial=QuantityUnit.ML)
    quantity = forms.DecimalField(label=_("Quantity obtained"), **AMOUNT)  # type: ignore[arg-type]
    unit = forms.ChoiceField(label=_("Unit obtained"), choices=QuantityUnit.choices, initial=QuantityUnit.UG)
    concentration = forms.DecimalField(label=_("Concentration"), required=False, max_digits=16, decimal_places=4)
    concentration_unit = forms.ChoiceField(
        label=_("Concentration unit"), choices=[("", "—"), *ConcentrationUnit.choices], required=False
    )
    barcode = forms.CharField(label=_("Barcode"), max_length=64, required=False, help_text=_("or generated"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, Any] = self.fields
        fields["sample_type"].choices = sample_type_choices()
        fields["sample_type"].initial = "ZZZ"
        fields["material_type"].choices = material_type_choices()


class ThawForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class QcForm(forms.Form):
    measure = forms.ChoiceField(label=_("Measure"), choices=QcMeasure.choices)
    value = forms.DecimalField(label=_("Value"), max_digits=16, decimal_places=4)
    unit = forms.ChoiceField(label=_("Unit"), choices=QC_UNIT_CHOICES, required=False)
    passed = forms.NullBooleanField(
        label=_("Passed"),
        required=False,
        widget=forms.Select(choices=[("unknown", _("not judged")), ("true", _("passed")), ("false", _("failed"))]),
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class ReserveForm(forms.Form):
    purpose = forms.ChoiceField(
        label=_("Purpose (DUO)"), choices=PURPOSES, help_text=_("The donor's consent must permit it.")
    )
    disease = forms.CharField(label=_("Disease (for DS)"), max_length=100, required=False)
    reason = _reason()


class ShipForm(forms.Form):
    purpose = forms.ChoiceField(
        label=_("Purpose (DUO)"), choices=PURPOSES, help_text=_("The donor's consent must permit the transfer.")
    )
    disease = forms.CharField(label=_("Disease (for DS)"), max_length=100, required=False)
    recipient = forms.CharField(label=_("Recipient"), max_length=200)
    reason = _reason(required=False)


class ReasonForm(forms.Form):
    reason = _reason()


class OptionalReasonForm(forms.Form):
    reason = _reason(required=False)
