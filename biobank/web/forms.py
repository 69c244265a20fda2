"""Forms of the biobank administration pages, and the bridge from service errors to form errors."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from biobank.accounts.choices import BIOBANK_PERMISSIONS, TOKEN_GRANTABLE_PERMISSIONS, Role
from biobank.errors import DomainError, InvalidFields


def without_label(form: forms.Form, field: str, message: str) -> str:
    """A service's message for ``field`` without its leading "Field name: ": the form shows it under the field's
    label and the error summary puts the label in front, so the name is said once (issue 16, item 6)."""
    head, colon, rest = str(message).partition(": ")
    names = {field.replace("_", " ").casefold(), str(form.fields[field].label or "").casefold()}
    if not colon or not rest or head.strip().casefold() not in names:
        return str(message)
    return rest[:1].upper() + rest[1:]


def add_domain_error(form: forms.Form, error: DomainError, field_map: dict[str, str] | None = None) -> None:
    """Show a service's ``DomainError`` next to the field it names, or at the top of the form; ``InvalidFields``
    (several problems at once) each at its own field."""
    problems = error.errors if isinstance(error, InvalidFields) else {error.field or "": [error.message]}
    for name, messages in problems.items():
        field = (field_map or {}).get(name, name)
        for message in messages:
            if field in form.fields:
                form.add_error(field, without_label(form, field, message))
            else:
                form.add_error(None, message)


def role_field(**kwargs: object) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=_("Roles"),
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one role.")},
        **kwargs,  # type: ignore[arg-type]
    )


class MemberAddForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        help_text=_("A person without an account gets one, and an e-mail with a link to choose their password."),
    )
    full_name = forms.CharField(
        label=_("Full name"), max_length=200, required=False, help_text=_("Optional; used only for a new account.")
    )
    roles = role_field()


class MemberRolesForm(forms.Form):
    roles = role_field(help_text=_("To take every role away, use “Remove from biobank” instead."))


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("Which partner system uses it, e.g. “Hospital LIS”.")
    )
    permissions = forms.MultipleChoiceField(
        label=_("Permissions"),
        choices=[(codename, BIOBANK_PERMISSIONS[codename]) for codename in TOKEN_GRANTABLE_PERMISSIONS],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one permission.")},
        help_text=_("Give the partner system only what it needs. Tokens can never see identities or manage members."),
    )
    expires_on = forms.DateField(
        label=_("Expires on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("The token stops working at the end of this day. At most two years from today."),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if not self.is_bound:
            self.initial.setdefault("expires_on", timezone.localdate() + timedelta(days=90))

    def clean_expires_on(self) -> datetime:
        day = self.cleaned_data["expires_on"]
        if day < timezone.localdate():
            raise forms.ValidationError(_("Choose today or a day in the future."))
        return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))
