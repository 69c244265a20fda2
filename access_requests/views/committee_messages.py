"""Posting a message on a request from the researcher's page or the committee's screen (the thread itself is the
include ``access_requests/committee/_messages.html``). Back to the page it came from (``next``, same site only)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from biobank.accounts.models import Biobank
from biobank.accounts.principals import AuthenticatedHttpRequest
from biobank.errors import DomainError

from ..models import AccessRequest
from ..selectors import request_get_for
from ..services.messages import message_post


@login_required
@require_POST
def message_post_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    try:
        access_request = request_get_for(user=request.user, pk=pk)
    except AccessRequest.DoesNotExist:
        raise Http404(_("No such request that you may see.")) from None
    code = request.POST.get("biobank", "")
    biobank = Biobank.objects.filter(code=code).first() if code else None
    try:
        message_post(
            actor=request.user,
            request=access_request,
            body=request.POST.get("body", ""),
            audience=request.POST.get("audience", "all"),
            biobank=biobank,
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Message sent."))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        target = "access_requests:review_queue"
    return redirect(target)
