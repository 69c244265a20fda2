"""Signed-in sessions end after ``SESSION_IDLE_TIMEOUT`` idle and ``SESSION_ABSOLUTE_TIMEOUT`` after sign-in.

OWASP ASVS 4.0 level 2, V3.3.2: re-authentication at least every 12 hours and after 30 minutes of inactivity. The
same limits apply to every signed-in person (staff, researchers, donors): docs/security.md says why.

The session keeps two timestamps (seconds since the epoch): when the person signed in (set on ``user_logged_in``),
and when they were last active. The last-activity stamp is rewritten at most once a minute, so an active person does
not cost a session write on every request. A session that ends this way is signed out (audited as ``auth.logout``
with the reason), and the next page — the sign-in page, for any page that needs a signed-in person — says why.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

SIGNED_IN_AT = "_biobank_signed_in_at"
ACTIVE_AT = "_biobank_active_at"
ACTIVITY_RESOLUTION = 60  # seconds: how stale the last-activity stamp may get before it is rewritten


def _idle_message(seconds: int) -> str:
    minutes = max(1, seconds // 60)
    return ngettext(
        "You were signed out after %(minutes)d minute without activity. Please sign in again.",
        "You were signed out after %(minutes)d minutes without activity. Please sign in again.",
        minutes,
    ) % {"minutes": minutes}


def _absolute_message(seconds: int) -> str:
    hours = max(1, seconds // 3600)
    return ngettext(
        "You were signed out because you had been signed in for %(hours)d hour. Please sign in again.",
        "You were signed out because you had been signed in for %(hours)d hours. Please sign in again.",
        hours,
    ) % {"hours": hours}


def stamp_signed_in(sender: object, request: HttpRequest | None, user: object, **kwargs: object) -> None:
    """``user_logged_in``: both clocks start at sign-in (any sign-in: form, donor link, admin, test client)."""
    session = getattr(request, "session", None)
    if session is not None:
        session[SIGNED_IN_AT] = session[ACTIVE_AT] = timezone.now().timestamp()


class SessionTimeoutMiddleware:
    """Sits after the authentication and message middlewares."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:  # the session's person (API tokens are authenticated later, by DRF)
            self._check(request)
        return self.get_response(request)

    @staticmethod
    def _check(request: HttpRequest) -> None:
        session = request.session
        now = timezone.now().timestamp()
        signed_in_at, active_at = session.get(SIGNED_IN_AT), session.get(ACTIVE_AT)
        if signed_in_at is None or active_at is None:  # a session from before these limits: they start now
            session[SIGNED_IN_AT] = session[ACTIVE_AT] = now
            return
        idle, absolute = settings.SESSION_IDLE_TIMEOUT, settings.SESSION_ABSOLUTE_TIMEOUT
        if now - signed_in_at >= absolute:
            reason, message = "absolute_timeout", _absolute_message(absolute)
        elif now - active_at >= idle:
            reason, message = "idle_timeout", _idle_message(idle)
        else:
            if now - active_at >= ACTIVITY_RESOLUTION:
                session[ACTIVE_AT] = now
            return
        request.signout_reason = reason  # type: ignore[attr-defined]  # read by the auth.logout audit event
        logout(request)
        messages.info(request, message)


class MfaRequiredMiddleware:
    """Until the second sign-in step is done (``mfa.py``), every page leads to it (issue 9, item 4).

    Let through: the step's own pages, signing out, static files and the probes. ``/api/`` is left to DRF, where
    ``MfaSessionAuthentication`` refuses such a session while API tokens (machine credentials) are unaffected.
    Sits after ``SessionTimeoutMiddleware``: a session that has just ended asks nothing.
    """

    OPEN_PREFIXES = ("/api/", "/healthz", "/readyz")
    OPEN_VIEWS = ("accounts:mfa_verify", "accounts:mfa_setup", "accounts:logout")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            from .mfa import mfa_session_pending

            if mfa_session_pending(request) and not self._open(request.path_info):
                from django.shortcuts import redirect
                from django.utils.http import urlencode

                step = reverse("accounts:mfa_verify")
                return redirect(f"{step}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    def _open(self, path: str) -> bool:
        if path.startswith((*self.OPEN_PREFIXES, settings.STATIC_URL)):
            return True
        return path in {reverse(name) for name in self.OPEN_VIEWS}
