"""The second sign-in step (issue 9, item 4): set up an authenticator, enter its code, recovery codes, admin reset.

The rules and writes are in ``biobank/accounts/mfa.py``; ``MfaRequiredMiddleware`` sends every page here until
the step is done. Pages that show a secret (the key, recovery codes) are never cached.
"""

from __future__ import annotations

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from biobank.accounts import mfa
from biobank.accounts.lockout import signin_attempt_begin
from biobank.accounts.mfa_forms import MfaCodeForm, MfaResetForm, MfaSetupForm
from biobank.accounts.models import Biobank
from biobank.accounts.selectors import biobank_get_for, members_of_biobank
from biobank.errors import DomainError, ForbiddenError
from biobank.ops.client_address import client_address

from ..choices import Perm
from ..principals import AuthenticatedHttpRequest


def _next(request: AuthenticatedHttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse("web:dashboard")


def _with_next(viewname: str, target: str) -> str:
    return f"{reverse(viewname)}?{urlencode({'next': target})}"


@never_cache
@login_required
def verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Enter a code of the authenticator (or a recovery code) after the password."""
    target = _next(request)
    if not mfa.mfa_session_pending(request):
        return redirect(target)
    user = request.user
    if mfa.mfa_device(user=user) is None:
        return redirect(_with_next("accounts:mfa_setup", target))
    status = 200
    if request.method == "POST":
        form = MfaCodeForm(request.POST)
        if form.is_valid():
            # The same limit as wrong passwords (lockout.py): per account and per client address, 10 an hour.
            attempt = signin_attempt_begin(email=user.email, client=client_address(request))
            if attempt.refused_for is not None:
                minutes = attempt.wait_minutes
                form.add_error(
                    None,
                    ngettext(
                        "Too many wrong codes or passwords: signing in is paused. Please try again in %(minutes)d "
                        "minute.",
                        "Too many wrong codes or passwords: signing in is paused. Please try again in %(minutes)d "
                        "minutes.",
                        minutes,
                    )
                    % {"minutes": minutes},
                )
                status = 429
            else:
                try:
                    kind = mfa.mfa_verify(actor=user, token=form.cleaned_data["code"])
                except Exception:
                    attempt.succeeded()  # no answer about the code: not a guess
                    raise
                if kind is None:
                    attempt.failed()
                    form.add_error(
                        "code",
                        _(
                            "This code is not right. Enter the code your app shows now (it changes every 30 seconds), "
                            "or an unused recovery code."
                        ),
                    )
                else:
                    attempt.succeeded()
                    mfa.mfa_session_verified(request)
                    if kind == "recovery_code":
                        messages.warning(
                            request,
                            _(
                                "You signed in with a recovery code; it cannot be used again. If your phone is lost, "
                                "make new recovery codes on your profile and ask an admin to reset your authenticator."
                            ),
                        )
                    return redirect(target)
    else:
        form = MfaCodeForm()
    return render(request, "accounts/mfa_verify.html", {"form": form, "next": target}, status=status)


@never_cache
@login_required
def setup(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Add the portal to an authenticator app (QR code or the key as text) and confirm with a code it shows."""
    target = _next(request)
    user = request.user
    if mfa.mfa_device(user=user) is not None:
        if mfa.mfa_session_pending(request):
            return redirect(_with_next("accounts:mfa_verify", target))
        messages.info(request, _("Two-step sign-in is already set up for your account."))
        return redirect("accounts:profile")
    device = mfa.mfa_setup_device(user=user)
    form = MfaSetupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = mfa.mfa_enrol_confirm(actor=user, token=form.cleaned_data["code"])
        except DomainError as error:
            form.add_error("code", error.message)
        else:
            mfa.mfa_session_verified(request)
            # Rendered in answer to the POST, never stored: reloading cannot show them again.
            return render(request, "accounts/mfa_recovery_codes.html", {"codes": codes, "next": target})
    qr = segno.make(device.config_url, error="m")
    context = {
        "form": form,
        "next": target,
        "secret": mfa.secret_of(device),
        "qr_svg": qr.svg_inline(scale=5, border=2, title=_("QR code to add the Biobank Portal to your app")),
        "required": mfa.mfa_required(user=user),
    }
    return render(request, "accounts/mfa_setup.html", context)


@never_cache
@login_required
@require_POST
def recovery_codes_regenerate(request: AuthenticatedHttpRequest) -> HttpResponse:
    """New recovery codes replace the old ones; shown once, in the answer to this POST."""
    try:
        codes = mfa.mfa_recovery_codes_regenerate(actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("accounts:profile")
    return render(request, "accounts/mfa_recovery_codes.html", {"codes": codes, "next": reverse("accounts:profile")})


@login_required
def reset(request: AuthenticatedHttpRequest, code: str, user_id: int) -> HttpResponse:
    """An admin of the person's biobank (never the person) removes their authenticator, giving a reason."""
    try:
        biobank = biobank_get_for(user=request.user, code=code, perm=Perm.MANAGE_MEMBERS)
    except Biobank.DoesNotExist:
        raise Http404(_("No such biobank, or you do not manage its members.")) from None
    member = members_of_biobank(user=request.user, biobank=biobank).filter(pk=user_id).first()
    if member is None:
        raise Http404(_("This person is not a member of this biobank."))
    form = MfaResetForm(request.POST or None)
    own = member.pk == request.user.pk
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            mfa.mfa_reset(actor=request.user, user=member, reason=form.cleaned_data["reason"])
        except DomainError as error:
            form.add_error(None if error.field is None else error.field, error.message)
            status = 403 if isinstance(error, ForbiddenError) else 400
        else:
            messages.success(
                request,
                _("Two-step sign-in of %(email)s was reset; they set it up again at their next sign-in.")
                % {"email": member.email},
            )
            return redirect("web:members", code=biobank.code)
    context = {"form": form, "biobank": biobank, "member": member, "own": own, "status": mfa.mfa_status(user=member)}
    return render(request, "accounts/mfa_reset.html", context, status=status)
