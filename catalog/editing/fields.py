"""Form fields of the catalogue editing pages: vocabulary pickers with readable labels, and the diseases picker.

Small lists are checkbox groups (multi-valued) or selects (one value), labelled with the list's labels and storing
its codes. ICD-10 has 12,500 codes: the diseases picker shows the chosen codes as checked boxes with their labels,
takes more codes typed in a text box, and finds codes with a server-side search (``search_diseases``).
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .. import vocabularies as v

SEARCH_LIMIT = 25
CODE_SPLIT = re.compile(r"[\s,;]+")


def codes_field(vocabulary: str, label: Any, *, help_text: Any = "") -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label, choices=v.choices(vocabulary), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=help_text,
    )  # fmt: skip


def code_field(vocabulary: str, label: Any, *, help_text: Any = "") -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label, choices=[("", _("— not given —")), *v.choices(vocabulary)], required=False, help_text=help_text
    )


def yes_no_field(label: Any) -> forms.NullBooleanField:
    return forms.NullBooleanField(label=label, required=False, widget=forms.NullBooleanSelect)


class LinesField(forms.CharField):
    """A list of free-text values, one per line (publications)."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value: Any) -> Any:
        return "\n".join(value) if isinstance(value, (list, tuple)) else value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


class DiseasesField(forms.MultipleChoiceField):
    """The chosen disease codes (checked boxes labelled with the ICD-10 title); the service validates the codes."""

    widget = forms.CheckboxSelectMultiple

    def valid_value(self, value: str) -> bool:
        return True  # unknown codes are named by the service's message (with the allowed forms)

    def show(self, codes: list[str]) -> None:
        self.choices = [(code, v.disease_label(code)) for code in codes]


def split_codes(text: str) -> list[str]:
    return [code for code in CODE_SPLIT.split(text or "") if code]


def search_diseases(query: str, *, exclude: frozenset[str] = frozenset(), limit: int = SEARCH_LIMIT) -> list[v.Term]:
    """ICD-10 codes whose code starts with ``query`` or whose title contains every word of it; codes first."""
    query = (query or "").strip()
    if len(query) < 2:
        return []
    upper = query.upper()
    words = query.lower().split()
    by_code: list[v.Term] = []
    by_title: list[v.Term] = []
    for term in v.terms(v.ICD10).values():
        if term.kind == "chapter" or term.code in exclude:
            continue
        if term.code.upper().startswith(upper):
            by_code.append(term)
        elif all(word in term.label.lower() for word in words):
            by_title.append(term)
        if len(by_code) >= limit:
            break
    return (by_code + by_title)[:limit]
