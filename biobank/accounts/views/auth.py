"""Sign in and out, password reset by e-mail (delivered by the Celery task), password change."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.core.exceptions import NON_FIELD_ERRORS
from django.urls import reverse, reverse_lazy
from django.utils.http import urlencode

from biobank.accounts.forms import LoginForm, PasswordResetForm
from biobank.accounts.mfa import mfa_session_pending
from biobank.accounts.ratelimit import email_form_refused


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True

    def get_success_url(self) -> str:
        """After the password, the second step (``mfa.py``) if the person owes one, then where they were going."""
        target = super().get_success_url()
        if self.request.user.is_authenticated and mfa_session_pending(self.request):
            return f"{reverse('accounts:mfa_verify')}?{urlencode({'next': target})}"
        return target

    def form_invalid(self, form):  # type: ignore[no-untyped-def]
        response = super().form_invalid(form)
        if form.has_error(NON_FIELD_ERRORS, code="locked_out"):
            response.status_code = 429  # sign-in paused (lockout.py); the form says for how long
        return response


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        if email_form_refused(self.request, form, scope="password_reset"):
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordChangeView(auth_views.PasswordChangeView):
    success_url = reverse_lazy("accounts:password_change_done")
