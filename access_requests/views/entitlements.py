"""The request's access page: its resources and entitlements, and the chair's and researcher's verbs on them
(grant, revoke, renew with a progress report, close)."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from biobank.accounts.principals import AuthenticatedHttpRequest
from biobank.errors import DomainError, ForbiddenError

from ..models import AccessRequest, Entitlement, RequestResource
from ..selectors import entitlements_of_request, request_get_for, resource_get_for, resources_visible_to
from ..services.entitlements import entitlement_renew, entitlement_revoke, request_close, resource_grant


class RevokeForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class RenewForm(forms.Form):
    until = forms.DateField(label=gettext_lazy("Renew until"), widget=forms.DateInput(attrs={"type": "date"}))


def _request(request: AuthenticatedHttpRequest, pk: int) -> AccessRequest:
    try:
        return request_get_for(user=request.user, pk=pk)
    except AccessRequest.DoesNotExist:
        raise Http404(_("No such request is visible to you.")) from None


def _resource(request: AuthenticatedHttpRequest, access_request: AccessRequest, pk: int) -> RequestResource:
    try:
        return resource_get_for(user=request.user, request=access_request, pk=pk)
    except RequestResource.DoesNotExist:
        raise Http404(_("No such resource is visible to you.")) from None


@login_required
def access(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    access_request = _request(request, pk)
    context = {
        "access_request": access_request,
        "resources": resources_visible_to(user=request.user, request=access_request),
        "entitlements": entitlements_of_request(user=request.user, request=access_request),
        "revoke_form": RevokeForm(),
        "renew_form": RenewForm(),
    }
    return render(request, "access_requests/entitlements/access.html", context)


def _run(request: AuthenticatedHttpRequest, action: Callable[[], object], done: str) -> None:
    try:
        action()
    except ForbiddenError:
        raise
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)


@login_required
@require_POST
def grant(request: AuthenticatedHttpRequest, pk: int, resource_pk: int) -> HttpResponse:
    resource = _resource(request, _request(request, pk), resource_pk)
    _run(request, lambda: resource_grant(actor=request.user, resource=resource), _("Access granted."))
    return redirect("access_requests:access", pk=pk)


@login_required
@require_POST
def revoke(request: AuthenticatedHttpRequest, pk: int, entitlement_pk: int) -> HttpResponse:
    access_request = _request(request, pk)
    entitlement = entitlements_of_request(user=request.user, request=access_request).filter(pk=entitlement_pk).first()
    if entitlement is None:
        raise Http404(_("No such entitlement is visible to you."))
    form = RevokeForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    _run(
        request,
        lambda: entitlement_revoke(
            actor=request.user, entitlement=Entitlement.objects.get(pk=entitlement.pk), reason=reason
        ),
        _("Access revoked."),
    )
    return redirect("access_requests:access", pk=pk)


@login_required
@require_POST
def renew(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    access_request = _request(request, pk)
    form = RenewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the date until which access is renewed."))
        return redirect("access_requests:access", pk=pk)
    _run(
        request,
        lambda: entitlement_renew(actor=request.user, request=access_request, until=form.cleaned_data["until"]),
        _("Access renewed."),
    )
    return redirect("access_requests:access", pk=pk)


@login_required
@require_POST
def close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    access_request = _request(request, pk)
    _run(request, lambda: request_close(actor=request.user, request=access_request), _("The request is closed."))
    return redirect("access_requests:access", pk=pk)
