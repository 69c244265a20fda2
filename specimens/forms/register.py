"""The registration form: a primary specimen and its aliquots in one step ("10 x 0.5 mL"), with its pre-analytical
facts (the SPREC code is derived from them) or a SPREC code entered directly where the facts are unknown."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from catalog.models import Collection

from ..choices import ConcentrationUnit, QuantityUnit
from ..models import Centrifugation
from ..services.register import FACT_FIELDS, AliquotPlan
from ..sprec import SprecError
from .choices import (
    collection_type_choices,
    fixation_choices,
    material_type_choices,
    primary_container_choices,
    sample_type_choices,
    storage_container_choices,
    storage_method_choices,
)

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
BRAKING = [("", _("unknown")), ("yes", _("with brake")), ("no", _("without brake"))]
KINDS = [("", _("from the sample type")), ("fluid", _("fluid")), ("solid", _("solid"))]


def _minutes(label: Any) -> forms.IntegerField:
    return forms.IntegerField(label=label, required=False, min_value=0)


def _degrees(label: Any) -> forms.DecimalField:
    return forms.DecimalField(label=label, required=False, max_digits=5, decimal_places=1)


def _spin_fields(prefix: str, title: Any) -> dict[str, forms.Field]:
    return {
        prefix: forms.ChoiceField(label=title, choices=Centrifugation.choices, required=False),
        f"{prefix}_temperature_c": _degrees(_("%(step)s: temperature (°C)") % {"step": title}),
        f"{prefix}_duration_min": _minutes(_("%(step)s: duration (min)") % {"step": title}),
        f"{prefix}_g_force": forms.IntegerField(
            label=_("%(step)s: g-force (x g)") % {"step": title}, required=False, min_value=1
        ),
        f"{prefix}_braking": forms.ChoiceField(
            label=_("%(step)s: braking") % {"step": title}, choices=BRAKING, required=False
        ),
    }


class SpecimenRegisterForm(forms.Form):
    """Fields are grouped in ``FIELDSETS``; the facts' names are the model's (``FACT_FIELDS``)."""

    donor = forms.CharField(
        label=_("Donor PID"),
        max_length=20,
        help_text=_("Scan or type the PID from the donor's label, e.g. ABCDE-FGHJK-M."),
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off", "spellcheck": "false"}),
    )
    collection = forms.ModelChoiceField(label=_("Collection"), queryset=Collection.objects.none())
    sample_type = forms.ChoiceField(label=_("Sample type (SPREC)"))
    kind = forms.ChoiceField(
        label=_("Kind of sample"),
        choices=KINDS,
        required=False,
        help_text=_("Only for types that exist as fluid and solid (CEN, CLN, PEN) or for other types (XXX, ZZZ)."),
    )
    material_type = forms.ChoiceField(
        label=_("Material type (MIABIS)"),
        required=False,
        help_text=_("Needed only where SPREC has no type for the material (ZZZ: DNA, RNA …)."),
    )
    barcode = forms.CharField(
        label=_("Barcode"),
        max_length=64,
        required=False,
        help_text=_("Scan the tube's barcode, or leave empty to have one generated."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    quantity = forms.DecimalField(label=_("Quantity"), min_value=Decimal("0.0001"), max_digits=16, decimal_places=4)
    unit = forms.ChoiceField(label=_("Unit"), choices=QuantityUnit.choices, initial=QuantityUnit.ML)
    concentration = forms.DecimalField(label=_("Concentration"), required=False, max_digits=16, decimal_places=4)
    concentration_unit = forms.ChoiceField(
        label=_("Concentration unit"), choices=[("", "—"), *ConcentrationUnit.choices], required=False
    )
    aliquot_count = forms.IntegerField(
        label=_("Number of aliquots"),
        required=False,
        min_value=1,
        max_value=1000,
        help_text=_("E.g. 10 for “10 x 0.5 mL”; leave empty to register the specimen alone."),
    )
    aliquot_quantity = forms.DecimalField(
        label=_("Quantity of each aliquot"),
        required=False,
        min_value=Decimal("0.0001"),
        max_digits=16,
        decimal_places=4,
    )
    aliquot_unit = forms.ChoiceField(
        label=_("Unit of the aliquots"), choices=QuantityUnit.choices, initial=QuantityUnit.ML, required=False
    )
    aliquot_barcodes = forms.CharField(
        label=_("Aliquot barcodes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off", "spellcheck": "false"}),
        help_text=_("Scanned barcodes, one a line; aliquots without one get a generated barcode."),
    )
    collected_at = forms.DateTimeField(label=_("Collection time"), required=False, widget=DATETIME)
    received_at = forms.DateTimeField(label=_("Reception time"), required=False, widget=DATETIME)
    primary_container = forms.ChoiceField(label=_("Primary container (fluid)"), required=False)
    collection_type = forms.ChoiceField(label=_("Type of collection (solid)"), required=False)
    pre_centrifugation_delay_min = _minutes(_("Pre-centrifugation delay (min)"))
    pre_centrifugation_temperature_c = _degrees(_("Pre-centrifugation temperature (°C)"))
    # The two spins share five fields each: built once, named like the model's columns.
    locals().update(_spin_fields("centrifugation", _("Centrifugation")))
    locals().update(_spin_fields("second_centrifugation", _("Second centrifugation")))
    post_centrifugation_delay_min = _minutes(_("Post-centrifugation delay (min)"))
    post_centrifugation_temperature_c = _degrees(_("Post-centrifugation temperature (°C)"))
    storage_started_at = forms.DateTimeField(label=_("Storage start"), required=False, widget=DATETIME)
    storage_container = forms.ChoiceField(label=_("Storage container"), required=False)
    storage_method = forms.ChoiceField(label=_("Storage method"), required=False)
    storage_temperature_c = _degrees(_("Storage temperature (°C)"))
    warm_ischemia_min = _minutes(_("Warm ischemia (min)"))
    cold_ischemia_min = _minutes(_("Cold ischemia (min)"))
    fixation = forms.ChoiceField(label=_("Fixation"), required=False)
    fixation_duration_min = _minutes(_("Fixation time (min)"))
    sprec_code = forms.CharField(
        label=_("SPREC code"),
        max_length=32,
        required=False,
        help_text=_("Only where the facts are unknown: a code entered here is checked and kept instead."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    diagnosis = forms.CharField(
        label=_("Diagnosis"),
        max_length=40,
        required=False,
        help_text=_("Optional: one ICD-10 code (WHO 2019), e.g. C18.7, or an Orphanet code ORPHA:558."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    FIELDSETS = (
        (_("Specimen"), ("donor", "collection", "sample_type", "kind", "material_type", "barcode", "diagnosis")),
        (_("Quantity"), ("quantity", "unit", "concentration", "concentration_unit")),
        (_("Aliquots"), ("aliquot_count", "aliquot_quantity", "aliquot_unit", "aliquot_barcodes")),
        (_("Collection and reception"), ("collected_at", "received_at", "primary_container", "collection_type")),
        (
            _("Centrifugation"),
            (
                "pre_centrifugation_delay_min",
                "pre_centrifugation_temperature_c",
                *_spin_fields("centrifugation", "").keys(),
                *_spin_fields("second_centrifugation", "").keys(),
                "post_centrifugation_delay_min",
                "post_centrifugation_temperature_c",
            ),
        ),
        (_("Solid tissue"), ("warm_ischemia_min", "cold_ischemia_min", "fixation", "fixation_duration_min")),
        (
            _("Storage"),
            ("storage_started_at", "storage_container", "storage_method", "storage_temperature_c"),
        ),
        (_("SPREC code and notes"), ("sprec_code", "notes")),
    )

    def __init__(self, *args: Any, collections: QuerySet[Collection], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, Any] = self.fields
        fields["collection"].queryset = collections
        fields["sample_type"].choices = [("", _("Choose a sample type")), *sample_type_choices()]
        fields["material_type"].choices = material_type_choices()
        fields["primary_container"].choices = primary_container_choices()
        fields["collection_type"].choices = collection_type_choices()
        fields["fixation"].choices = fixation_choices()
        fields["storage_container"].choices = storage_container_choices()
        fields["storage_method"].choices = storage_method_choices()

    def fieldsets(self) -> Iterator[tuple[Any, list[forms.BoundField]]]:
        for title, names in self.FIELDSETS:
            yield title, [self[name] for name in names]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data  # the same dict, typed without None
        count, each = data.get("aliquot_count"), data.get("aliquot_quantity")
        if count and not each:
            self.add_error("aliquot_quantity", _("Say how much each aliquot holds."))
        if each and not count:
            self.add_error("aliquot_count", _("Say how many aliquots to make."))
        if data.get("concentration") is not None and not data.get("concentration_unit"):
            self.add_error("concentration_unit", _("Choose the unit of the concentration."))
        return data

    def facts(self) -> dict[str, Any]:
        """The recorded facts for ``specimen_register`` (empty ones left out)."""
        facts: dict[str, Any] = {}
        for name in FACT_FIELDS:
            value = self.cleaned_data.get(name)
            if name.endswith("_braking"):
                value = {"yes": True, "no": False}.get(value or "")
            if value in (None, ""):
                continue
            facts[name] = value
        return facts

    def aliquots(self) -> AliquotPlan | None:
        data = self.cleaned_data
        if not data.get("aliquot_count"):
            return None
        barcodes = [line.strip() for line in (data.get("aliquot_barcodes") or "").splitlines() if line.strip()]
        return AliquotPlan(data["aliquot_count"], data["aliquot_quantity"], data.get("aliquot_unit") or "mL", barcodes)

    def add_sprec_problems(self, error: SprecError) -> None:
        """Each fact out of range next to its field (``centrifugation/g_force`` → ``centrifugation_g_force``)."""
        for problem in error.errors:
            name = (problem.fact or "").replace("/", "_").replace("collection_time", "collected_at")
            self.add_error(name if name in self.fields else None, problem.message)
