"""The form of the shipments page: the ticked distributed specimens, the staff decision and its note."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ..choices import ShipmentDecision


class ShipmentDecisionForm(forms.Form):
    specimens = forms.MultipleChoiceField(
        label=_("Specimens"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Tick at least one specimen.")},
    )
    decision = forms.ChoiceField(label=_("Decision"), choices=ShipmentDecision.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Note"),
        max_length=1000,
        help_text=_("Who was told what, and when; kept in each specimen's history."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: object, barcodes: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["specimens"].choices = barcodes  # type: ignore[attr-defined]
