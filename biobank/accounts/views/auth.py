"""Sign in and out, password reset by e-mail (delivered by the Celery task), password change."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import forms as auth_forms
from django.contrib.auth import login as auth_login
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.urls import reverse, reverse_lazy
from django.utils.http import urlencode

from biobank.accounts.forms import LoginForm, PasswordResetForm
from biobank.accounts.mfa import mfa_session_pending
from biobank.accounts.ratelimit import email_form_refused
from biobank.accounts.signin import user_password_set


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True

    def get_success_url(self) -> str:
        """After the password, the second step (``mfa.py``) if the person owes one, then where they were going."""
        target = super().get_success_url()
        if self.request.user.is_authenticated and mfa_session_pending(self.request):
            return f"{reverse('accounts:mfa_verify')}?{urlencode({'next': target})}"
        return target

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_invalid(form)
        if form.has_error(NON_FIELD_ERRORS, code="locked_out"):
            response.status_code = 429  # sign-in paused (lockout.py); the form says for how long
        return response


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form: auth_forms.PasswordResetForm) -> HttpResponse:
        if email_form_refused(self.request, form, scope="password_reset"):
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's view, but the new password is set by ``user_password_set``, which records the event (issue 9,
    item 11) — ``form.save()`` would write the password without one."""

    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form: auth_forms.SetPasswordForm) -> HttpResponse:
        user = user_password_set(
            actor=form.user, user=form.user, password=form.cleaned_data["new_password1"], how="reset"
        )
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        if self.post_reset_login:
            auth_login(self.request, user, self.post_reset_login_backend)
        return HttpResponseRedirect(self.get_success_url())


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's view, with the password set (and recorded) by ``user_password_set``; the session stays signed in.

    An account without a usable password (a donor who signs in by e-mailed link) is not asked for an old password it
    never had: it sets one (``SetPasswordForm``; issue 16, item 10).
    """

    success_url = reverse_lazy("accounts:password_change_done")

    def _has_password(self) -> bool:
        return bool(getattr(self.request.user, "has_usable_password", lambda: True)())

    def get_form_class(self) -> Any:
        return super().get_form_class() if self._has_password() else auth_forms.SetPasswordForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["setting"] = not self._has_password()
        return context

    def form_valid(self, form: auth_forms.SetPasswordForm) -> HttpResponse:
        user = user_password_set(  # form.user is the signed-in person
            actor=form.user, user=form.user, password=form.cleaned_data["new_password1"], how="change"
        )
        update_session_auth_hash(self.request, user)
        return HttpResponseRedirect(self.get_success_url())


def admin_password_change(request: HttpRequest, extra_context: dict | None = None) -> HttpResponseBase:
    """The Django admin's own password change, through the audited ``PasswordChangeView`` above (installed as
    ``admin.site.password_change`` in ``biobank/urls.py``); same form, template and redirect as the admin's."""
    from django.contrib import admin
    from django.contrib.admin.forms import AdminPasswordChangeForm
    from django.urls import reverse

    request.current_app = admin.site.name
    return PasswordChangeView.as_view(
        form_class=AdminPasswordChangeForm,
        success_url=reverse("admin:password_change_done", current_app=admin.site.name),
        extra_context={**admin.site.each_context(request), **(extra_context or {})},
    )(request)
