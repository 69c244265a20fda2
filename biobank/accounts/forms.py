"""Forms of the sign-in and self-service pages. Thin: validation of input only, the writes are in services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .emails import password_reset_link, queue_email
from .models import User


class SigninThrottleMixin:
    """Counts failed sign-ins and refuses more than ``lockout.SIGNIN_FAILURE_LIMIT`` an hour (``lockout.py``).

    Mixed into every form that checks a password — the portal's sign-in and the Django admin's — so no password
    path escapes the limit. During a pause the password is not even checked, and the message says how long to wait
    without saying whether the e-mail address has an account.
    """

    request: Any
    cleaned_data: dict[str, Any]

    def clean(self) -> dict[str, Any]:
        from biobank.ops.client_address import client_address

        from .lockout import signin_attempt_begin

        email, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if not email or not password:  # the empty field is reported; no password was tried
            return self.check_credentials()
        attempt = signin_attempt_begin(email=email, client=client_address(self.request) if self.request else None)
        if attempt.refused_for is not None:
            minutes = attempt.wait_minutes
            raise forms.ValidationError(
                ngettext(
                    "Too many failed sign-in attempts: signing in is paused. Please try again in %(minutes)d minute.",
                    "Too many failed sign-in attempts: signing in is paused. Please try again in %(minutes)d minutes.",
                    minutes,
                ),
                code="locked_out",
                params={"minutes": minutes},
            )
        try:
            data = self.check_credentials()
        except forms.ValidationError as error:
            if error.code == "unverified":  # the right password of an account not yet confirmed: not a guess
                attempt.succeeded()
            else:
                attempt.failed()
            raise
        except Exception:  # no answer about the password (e.g. the database failed): not a guess
            attempt.succeeded()
            raise
        attempt.succeeded()
        return data

    def check_credentials(self) -> dict[str, Any]:
        """The form's own check of e-mail and password (``AuthenticationForm.clean``), run inside the throttle."""
        return super().clean()  # type: ignore[misc]


class LoginForm(SigninThrottleMixin, auth_forms.AuthenticationForm):
    """E-mail and password. An unconfirmed researcher is told to confirm first (only with the right password)."""

    error_messages = {
        **auth_forms.AuthenticationForm.error_messages,
        "invalid_login": _(
            "The e-mail address or password is not correct. Check both and try again, or reset your password."
        ),
        "unverified": _(
            "Please confirm your e-mail address first: follow the link we sent you when you signed up. "
            "If it expired, sign up again to receive a new one."
        ),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("E-mail address")
        self.fields["username"].widget = forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})

    def check_credentials(self) -> dict[str, Any]:
        try:
            return super().check_credentials()
        except forms.ValidationError:
            email, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
            pending = User.objects.filter(
                email__iexact=email or "", is_researcher=True, is_active=False, email_verified_at__isnull=True
            ).first()
            if pending is not None and password and pending.check_password(password):
                raise forms.ValidationError(self.error_messages["unverified"], code="unverified") from None
            raise


class AdminLoginForm(SigninThrottleMixin, AdminAuthenticationForm):
    """The Django admin's sign-in (superusers only), under the same limit as the portal's."""


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's reset form, but the e-mail goes through the Celery ``send_email`` task, with links to SITE_URL."""

    email = forms.EmailField(
        label=_("E-mail address"), max_length=254, widget=forms.EmailInput({"autocomplete": "email"})
    )

    def get_users(self, email: str) -> Any:
        # Members added by an admin have no password until they follow their first link; they may ask again here.
        # Donors without a password sign in by one-time link instead, so they are left out.
        return (
            User.objects.filter(email__iexact=email, is_active=True)
            .exclude(is_donor=True, password__startswith=UNUSABLE_PASSWORD_PREFIX)
            .iterator()
        )

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        user = context["user"]
        queue_email(template="password_reset", to=to_email, context={"user": user, "link": password_reset_link(user)})


class SetPasswordForm(auth_forms.SetPasswordForm):
    pass


class ProfileForm(forms.Form):
    full_name = forms.CharField(
        label=_("Full name"),
        max_length=200,
        required=False,
        help_text=_("How colleagues see you in member lists and the audit trail."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )


class ResearcherSignupForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=200, widget=forms.TextInput({"autocomplete": "name"}))
    email = forms.EmailField(
        label=_("E-mail address"),
        help_text=_("Use your institutional address; we send a confirmation link to it."),
        widget=forms.EmailInput({"autocomplete": "email"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput({"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password (again)"), strip=False, widget=forms.PasswordInput({"autocomplete": "new-password"})
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data  # the same dict, typed without None
        password1, password2 = data.get("password1"), data.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords differ; type the same password twice."))
        elif password1:
            candidate = User(email=data.get("email", ""), full_name=data.get("full_name", ""))
            try:
                password_validation.validate_password(password1, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class DonorLinkForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        help_text=_("The address you gave the biobank when you agreed to take part."),
        widget=forms.EmailInput({"autocomplete": "email"}),
    )
