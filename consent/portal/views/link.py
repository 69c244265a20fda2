"""The invitation link ``/my/welcome/<token>/``: a page asking for one click (GET never uses the link, so e-mail
scanners that open links do not burn it), then the POST uses it and signs the donor in.

A used, expired, revoked or unknown link gets a page saying so (410 or 400), naming no one. Someone already signed
in as another person (another donor, or staff) is told to sign out first; the link is left unused.
"""

from __future__ import annotations

from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from biobank.errors import DomainError

from ...selectors.portal import account_of
from ...services.portal import donor_invitation_peek, donor_invitation_redeem

GONE = {"used", "expired", "revoked"}  # the link existed: 410; anything else (unknown, malformed): 400


def _broken(request: HttpRequest, error: DomainError) -> HttpResponse:
    status = 410 if error.code in GONE else 400
    return render(
        request, "consent/portal/link_invalid.html", {"message": error.message, "code": error.code}, status=status
    )


def _someone_else(request: HttpRequest, account_id: int) -> bool:
    """Signed in, but not as the person this link is for."""
    if not request.user.is_authenticated:
        return False
    mine = account_of(request.user)
    return mine is None or mine.pk != account_id


@never_cache
@require_http_methods(["GET", "POST"])
def welcome(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = donor_invitation_peek(token=token)
    except DomainError as error:
        return _broken(request, error)
    if _someone_else(request, invitation.account_id):
        return render(request, "consent/portal/link_other_person.html", status=403)
    language = invitation.account.language
    if request.method == "GET":
        with translation.override(language):
            return render(request, "consent/portal/welcome.html", {"language": language})
    try:
        account = donor_invitation_redeem(token=token)
    except DomainError as error:
        return _broken(request, error)
    login(request, account.user, backend="django.contrib.auth.backends.ModelBackend")
    return redirect("donor_portal:home")
