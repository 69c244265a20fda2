"""Forms of the donor pages: registration (tablet-friendly, labelled), reasons for identity reads, merge, review.

Forms only check shapes; the services decide (and their ``DomainError`` is shown next to the field it names).
Identity inputs switch off the browser's autocomplete, so a shared tablet does not offer one donor's data to the
next.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from biobank.web.forms import without_label
from consent.choices import Sex
from consent.models.identity import IDENTITY_FIELDS, IDENTITY_MAX_LENGTH
from consent.services.donors.validation import identity_check

NO_AUTOFILL = {"autocomplete": "off", "autocapitalize": "words", "spellcheck": "false"}


def _text(
    label: Any, *, required: bool = False, max_length: int = 200, help_text: Any = "", **attrs: str
) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        help_text=help_text,
        widget=forms.TextInput(attrs={**NO_AUTOFILL, **attrs}),
    )


def _identity(name: str, label: Any, *, required: bool = False, help_text: Any = "", **attrs: str) -> forms.CharField:
    """An identity input, as long as the registration service allows (``IDENTITY_MAX_LENGTH``)."""
    return _text(label, required=required, max_length=IDENTITY_MAX_LENGTH[name], help_text=help_text, **attrs)


class DonorRegisterForm(forms.Form):
    given_names = _identity("given_names", _("Given names"), required=True)
    family_name = _identity("family_name", _("Family name"), required=True)
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "off"}, format="%Y-%m-%d"),
        help_text=_("Only the year and month are visible outside the identity vault."),
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, initial=Sex.UNKNOWN, widget=forms.RadioSelect)
    hospital_id = _identity(
        "hospital_id", _("Hospital ID (MRN)"), help_text=_("Used to find duplicates and by stewards.")
    )
    national_id = _identity("national_id", _("National ID"))
    email = _identity("email", _("E-mail"), type="email", inputmode="email", autocapitalize="off")
    phone = _identity("phone", _("Phone"), inputmode="tel")  # type=text: the stylesheet styles text inputs
    address = forms.CharField(
        label=_("Address"),
        required=False,
        max_length=IDENTITY_MAX_LENGTH["address"],
        widget=forms.Textarea(attrs={"rows": 2, **NO_AUTOFILL}),
    )

    def clean(self) -> dict[str, Any]:
        """Every field the form could parse checked by the registration's own rules now, so one submit names every
        problem (a missing name, a birth date in the future and a malformed e-mail together)."""
        data = super().clean() or {}
        given = {name: data[name] for name in IDENTITY_FIELDS if name in data and name not in self.errors}
        _, problems = identity_check(given)
        for name, error in problems.items():
            self.add_error(name, without_label(self, name, error.message))
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Why you need to see identifying data. It is recorded in the audit trail with your name."),
        error_messages={"required": _("State why you need to see this identity.")},
    )


class HospitalLookupForm(ReasonForm):
    hospital_id = _identity("hospital_id", _("Hospital ID (MRN)"), required=True)
    field_order = ["hospital_id", "reason"]


class ReidentifyForm(ReasonForm):
    pid = _text(_("PID"), required=True, max_length=20, help_text=_("As printed, e.g. ABCDE-FGHJK-M."))
    field_order = ["pid", "reason"]


class DonorSearchForm(forms.Form):
    pid = forms.CharField(label=_("PID"), required=False, max_length=20)


class MergeForm(forms.Form):
    target = forms.CharField(
        label=_("Merge into donor (PID)"),
        max_length=20,
        help_text=_("The donor that stays. This donor's consents and everything else move to it."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("State why these donors are the same person.")},
    )


class DuplicateDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        choices=[
            ("same_person", _("Same person: use the registered donor chosen below, register nobody new")),
            ("different_person", _("Different person: register a new donor")),
        ],
    )
    donor = forms.ChoiceField(label=_("Registered donor (for “same person”)"), required=False, widget=forms.RadioSelect)
    note = forms.CharField(label=_("Note"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Why you looked at the candidates; recorded in the audit trail with the decision."),
        error_messages={"required": _("State why you need to see the candidates.")},
    )

    def __init__(self, *args: Any, candidates: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["donor"]).choices = candidates
        if len(candidates) == 1:
            self.fields["donor"].initial = candidates[0][0]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data  # the same dict, typed without None
        if data.get("decision") == "same_person" and not data.get("donor"):
            self.add_error("donor", _("Choose which registered donor this person is."))
        return data
