"""The wizard's step forms and the profile form. Field names match the request's fields so a service's
``InvalidFields`` lands next to the field it names."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from biobank.errors import DomainError, InvalidFields
from catalog import vocabularies
from consent.choices import Sex

from ..choices import AttachmentKind, PurposeKind, TeamRole
from ..validation import MATERIAL_UNITS

MATERIAL_ROWS = 3
# where an error on a structured field is shown
FIELD_HOME = {"material": "material_type_1", "criteria": "criteria_material_types", "collections": "collections"}


def add_errors(form: forms.Form, error: DomainError) -> None:
    """Every problem of ``error`` next to its field (or at the top when the form has no such field)."""
    problems = error.errors if isinstance(error, InvalidFields) else {error.field or "": [error.message]}
    for field, messages in problems.items():
        home = FIELD_HOME.get(field, field)
        for message in messages:
            form.add_error(home if home in form.fields else None, message)


class ProfileForm(forms.Form):
    institution = forms.CharField(label=_("Institution"), max_length=200, required=False)
    department = forms.CharField(label=_("Department"), max_length=200, required=False)
    country = forms.CharField(label=_("Country (ISO code, e.g. DE)"), max_length=2, required=False)
    orcid = forms.CharField(
        label=_("ORCID iD (optional)"), max_length=40, required=False, help_text=_("e.g. 0000-0002-1825-0097")
    )


class ProjectForm(forms.Form):
    title = forms.CharField(label=_("Project title"), max_length=300, required=False)
    lay_summary = forms.CharField(label=_("Lay summary"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    abstract = forms.CharField(label=_("Scientific abstract"), widget=forms.Textarea(attrs={"rows": 6}), required=False)


class PurposeForm(forms.Form):
    purpose_kind = forms.ChoiceField(label=_("Research purpose"), choices=PurposeKind.choices, widget=forms.RadioSelect)
    disease = forms.CharField(
        label=_("Disease (ICD-10, needed for a disease-specific purpose)"), max_length=40, required=False
    )
    methods_development = forms.BooleanField(label=_("The project develops methods"), required=False)
    commercial = forms.BooleanField(label=_("For-profit or commercial use"), required=False)


def _material_choices() -> list[tuple[str, str]]:
    return [("", "—"), *vocabularies.choices("Directory.MaterialTypes")]


class MaterialForm(forms.Form):
    criteria_material_types = forms.MultipleChoiceField(
        label=_("Material types to count (feasibility)"), required=False, widget=forms.CheckboxSelectMultiple
    )
    criteria_sexes = forms.MultipleChoiceField(
        label=_("Sex of the donors"), choices=Sex.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    criteria_age_min = forms.IntegerField(label=_("Lowest age at collection (years)"), required=False)
    criteria_age_max = forms.IntegerField(label=_("Highest age at collection (years)"), required=False)
    criteria_diagnoses = forms.CharField(
        label=_("Diagnoses (ICD-10 prefixes, comma-separated, e.g. E11, C50)"), required=False
    )
    inclusion_criteria = forms.CharField(
        label=_("Further inclusion criteria"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    donors_requested = forms.IntegerField(label=_("Number of donors"), required=False)
    samples_requested = forms.IntegerField(label=_("Number of samples"), required=False)
    data_categories = forms.MultipleChoiceField(
        label=_("Data categories"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        materials = vocabularies.choices("Directory.MaterialTypes")
        self.fields["criteria_material_types"].choices = materials  # type: ignore[attr-defined]
        self.fields["data_categories"].choices = vocabularies.choices("Directory.DataCategories")  # type: ignore[attr-defined]
        for n in range(1, MATERIAL_ROWS + 1):
            self.fields[f"material_type_{n}"] = forms.ChoiceField(
                label=_("Material row %(n)d: type") % {"n": n}, choices=_material_choices(), required=False
            )
            self.fields[f"amount_{n}"] = forms.CharField(label=_("Row %(n)d: amount") % {"n": n}, required=False)
            self.fields[f"unit_{n}"] = forms.ChoiceField(
                label=_("Row %(n)d: unit") % {"n": n}, choices=[(u, u) for u in MATERIAL_UNITS], required=False
            )
            self.fields[f"samples_{n}"] = forms.CharField(
                label=_("Row %(n)d: number of samples") % {"n": n}, required=False
            )

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        rows = [
            {
                "material_type": data[f"material_type_{n}"],
                "amount": data[f"amount_{n}"],
                "unit": data[f"unit_{n}"],
                "samples": data[f"samples_{n}"],
            }
            for n in range(1, MATERIAL_ROWS + 1)
            if data[f"material_type_{n}"] or data[f"amount_{n}"] or data[f"samples_{n}"]
        ]
        criteria: dict[str, Any] = {
            "material_types": data["criteria_material_types"],
            "sexes": data["criteria_sexes"],
            "age_min": data["criteria_age_min"],
            "age_max": data["criteria_age_max"],
            "diagnoses": [d.strip() for d in data["criteria_diagnoses"].split(",") if d.strip()],
        }
        return {
            "material": rows,
            "criteria": {k: v for k, v in criteria.items() if v not in (None, [], "")},
            "inclusion_criteria": data["inclusion_criteria"],
            "donors_requested": data["donors_requested"],
            "samples_requested": data["samples_requested"],
            "data_categories": data["data_categories"],
        }

    @staticmethod
    def initial_from(request: Any) -> dict[str, Any]:
        criteria = request.criteria or {}
        initial: dict[str, Any] = {
            "criteria_material_types": criteria.get("material_types", []),
            "criteria_sexes": criteria.get("sexes", []),
            "criteria_age_min": criteria.get("age_min"),
            "criteria_age_max": criteria.get("age_max"),
            "criteria_diagnoses": ", ".join(criteria.get("diagnoses", [])),
            "inclusion_criteria": request.inclusion_criteria,
            "donors_requested": request.donors_requested,
            "samples_requested": request.samples_requested,
            "data_categories": request.data_categories,
        }
        for n, row in enumerate(request.material[:MATERIAL_ROWS], start=1):
            for key in ("material_type", "amount", "unit", "samples"):
                initial[f"{key}_{n}"] = row.get(key)
        return initial


class CollectionsForm(forms.Form):
    collections = forms.MultipleChoiceField(
        label=_("Collections of the public catalogue"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["collections"].choices = choices  # type: ignore[attr-defined]


class EthicsForm(forms.Form):
    ethics_reference = forms.CharField(label=_("Ethics approval reference"), max_length=100, required=False)
    ethics_expiry = forms.DateField(
        label=_("Ethics approval valid until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    ethics_file = forms.FileField(label=_("Ethics approval (PDF, PNG or JPEG, at most 10 MB)"), required=False)
    funding = forms.CharField(label=_("Funding"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    duration_months = forms.IntegerField(label=_("Duration in months (1 to 60)"), required=False)


class TeamMemberForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    email = forms.CharField(label=_("E-mail"), max_length=254, required=False)
    institution = forms.CharField(label=_("Institution"), max_length=200, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=TeamRole.choices)


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=AttachmentKind.choices)
    file = forms.FileField(label=_("File (PDF, PNG, JPEG, DOCX or ODT, at most 10 MB)"))


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you withdraw the request?"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
