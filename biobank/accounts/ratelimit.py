"""Limits on the public forms that send e-mail (donor sign-in links, researcher sign-up, password reset).

Without them anyone could make the portal mail a stranger hundreds of times, or probe addresses. Attempts are
counted per client address (``client_address``: behind the TLS proxy, the client's) and per e-mail address in the
cache (shared Redis in production: ``CACHE_URL``) over a fixed window that starts with the first attempt.
"""

from __future__ import annotations

import hashlib
import math

from django.core.cache import cache
from django.forms import Form
from django.http import HttpRequest
from django.utils.translation import gettext as _

from biobank.ops.client_address import client_address

EMAIL_FORM_LIMIT = 5  # attempts per window, per client address and per e-mail address
EMAIL_FORM_WINDOW = 15 * 60  # seconds


def ratelimit_key(scope: str, ident: str) -> str:
    """The cache key of a counter: hashed, so e-mail and client addresses never sit in the cache in clear."""
    return f"ratelimit:{scope}:{hashlib.sha256(ident.encode()).hexdigest()}"


def _count(scope: str, ident: str, window: int) -> int:
    key = ratelimit_key(scope, ident)
    if cache.add(key, 1, window):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, window)
        return 1


def email_form_refused(request: HttpRequest, form: Form, *, scope: str) -> bool:
    """Count this POST; when over the limit, put a clear error on the form and return True (answer 429).

    Call it after ``form.is_valid()``, so the e-mail address is known and normalised.
    """
    email = str(form.cleaned_data.get("email", "")).strip().lower()
    client = client_address(request) or "unknown"  # behind the proxy: the client, not the proxy (issue 9, 7)
    over = [
        _count(scope, f"ip:{client}", EMAIL_FORM_WINDOW) > EMAIL_FORM_LIMIT,
        bool(email) and _count(scope, f"email:{email}", EMAIL_FORM_WINDOW) > EMAIL_FORM_LIMIT,
    ]
    if not any(over):
        return False
    minutes = math.ceil(EMAIL_FORM_WINDOW / 60)
    form.add_error(
        None,
        _("Too many requests for this form. Nothing was sent; please try again in %(minutes)d minutes.")
        % {"minutes": minutes},
    )
    return True
