"""Forms of the biobank administration pages, and the bridge from service errors to form errors."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from biobank.accounts.choices import BIOBANK_PERMISSIONS, TOKEN_GRANTABLE_PERMISSIONS, Role
from biobank.errors import DomainError


def add_domain_error(form: forms.Form, error: DomainError, field_map: dict[str, str] | None = None) -> None:
    """Show a service's ``DomainError`` next to the field it names, or at the top of the form."""
    field = (field_map or {}).get(error.field or "", error.field)
    form.add_error(field if field in form.fields else None, error.message)


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
