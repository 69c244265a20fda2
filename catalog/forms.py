"""Forms of the collection pages. Validation of input only; the writes are in ``catalog.services``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from biobank.accounts.models import Biobank, code_validator


class CollectionEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What the collection holds and why it was gathered; shown in the catalogue."),
    )


class CollectionCreateForm(CollectionEditForm):
    biobank = forms.ModelChoiceField(
        label=_("Biobank"), queryset=Biobank.objects.none(), empty_label=None, to_field_name="code"
    )
    code = forms.CharField(
        label=_("Code"),
        max_length=40,
        validators=[code_validator],
        help_text=_("Short identifier used in links and exports, e.g. “breast-cancer-2019”. It cannot be changed."),
    )
    field_order = ["biobank", "code", "name", "description"]

    def __init__(self, *args: Any, biobanks: QuerySet[Biobank], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["biobank"].queryset = biobanks  # type: ignore[attr-defined]
        if len(biobanks) == 1:
            self.fields["biobank"].initial = biobanks[0].code
