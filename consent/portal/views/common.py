"""What every donor-portal page shares: only a signed-in person with a donor account gets it (anyone else: 404, staff
included), in the account's language, never cached."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Concatenate, ParamSpec

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from biobank.accounts.principals import AuthenticatedHttpRequest

from ...models import DonorAccount
from ...selectors.portal import account_of

P = ParamSpec("P")
DonorView = Callable[Concatenate[AuthenticatedHttpRequest, DonorAccount, P], HttpResponse]


def donor_page(view: DonorView[P]) -> Callable[Concatenate[AuthenticatedHttpRequest, P], HttpResponse]:
    """Sign-in required; the person's donor account is passed to the view after the request; 404 without one."""

    @never_cache
    @login_required
    @wraps(view)
    def wrapper(request: AuthenticatedHttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        account = account_of(request.user)
        if account is None:
            raise Http404(_("This page is only for donors."))
        with translation.override(account.language):
            response = view(request, account, *args, **kwargs)
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
            response.headers.setdefault("Content-Language", account.language)
        return response

    return wrapper  # type: ignore[return-value]


def language_of(obj: Any, language: str, fallback: str = "en") -> str:
    """``language`` if ``obj.texts`` (a template's related texts) has it, else the fallback, else any."""
    codes = [text.language for text in obj.texts.all()]
    for code in (language, fallback):
        if code in codes:
            return code
    return codes[0] if codes else language
