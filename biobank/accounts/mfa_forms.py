"""Forms of the second sign-in step (``mfa.py``). Input only: the checks and writes are in ``mfa.py``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class MfaCodeForm(forms.Form):
    """A 6-digit code of the authenticator app, or (at the sign-in step) one of the recovery codes."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_("The 6-digit code your authenticator app shows for the Biobank Portal, or a recovery code."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false", "autocapitalize": "none"}
        ),
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not code:
            raise forms.ValidationError(_("Enter the code."), code="required")
        return code


class MfaSetupForm(MfaCodeForm):
    """Confirming the authenticator takes a code of the app itself: recovery codes do not exist yet."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["code"].help_text = _("The 6-digit code your app shows after you added the key.")
        self.fields["code"].widget.attrs["inputmode"] = "numeric"


class MfaResetForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        help_text=_("Why the reset is needed, e.g. “lost phone, identity checked in person”. Kept in the audit trail."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
