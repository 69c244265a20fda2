"""Agreement pages: a biobank's agreement versions (and publishing the next), the researcher's conditions page
(accept or decline), and the institutional signatory's one-time signing page."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from biobank.accounts.principals import AuthenticatedHttpRequest
from biobank.errors import DomainError, ForbiddenError
from biobank.ops.client_address import client_address
from biobank.web.access import biobank_for
from biobank.web.export import Column, export_format, export_links, export_response
from biobank.web.forms import add_domain_error

from ..choices import AgreementKind, ResourceStatus, SignatoryRole
from ..models import AccessRequest, AgreementTemplate, RequestResource, SigningLink
from ..selectors import request_get_for, resource_get_for
from ..services.agreements import (
    agreement_accept,
    agreement_accept_by_link,
    agreement_for_resource,
    conditions_decline,
    may_publish_agreement,
    signing_link_get,
)
from ..services.agreements import agreement_publish as publish

# The version list's columns, as the page shows them ("Published" split into its moment and who).
AGREEMENT_COLUMNS = (
    Column(gettext_lazy("Kind"), "get_kind_display"),
    Column(gettext_lazy("Version"), "version"),
    Column(gettext_lazy("Title"), "title"),
    Column(gettext_lazy("Published"), "created_at"),
    Column(gettext_lazy("Published by"), "created_by.email"),
)


class PublishForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=AgreementKind.choices)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    body = forms.CharField(label=gettext_lazy("Text"), widget=forms.Textarea(attrs={"rows": 16}))


class AcceptForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Your full name (your signature)"), max_length=200)
    confirm = forms.BooleanField(
        label=gettext_lazy("I have read the conditions and the agreement and accept them."), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ResearcherAcceptForm(AcceptForm):
    signatory_name = forms.CharField(label=gettext_lazy("Institutional signatory: name"), required=False)
    signatory_email = forms.EmailField(label=gettext_lazy("Institutional signatory: e-mail"), required=False)


class DeclineForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why do you decline?"), widget=forms.Textarea(attrs={"rows": 3}))


@login_required
@require_http_methods(["GET", "POST"])
def agreement_list(request: AuthenticatedHttpRequest, code: str) -> HttpResponseBase:
    """The published versions (and publishing the next); ``?format=csv|xlsx`` is the version list as a file."""
    biobank = biobank_for(request, code)
    may_publish = may_publish_agreement(user=request.user, biobank=biobank)
    form = PublishForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            template = publish(actor=request.user, biobank=biobank, **form.cleaned_data)
        except ForbiddenError:
            raise
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Version %(v)s published.") % {"v": template.version})
            return redirect("access_requests:agreement_detail", code=biobank.code, pk=template.pk)
    versions = AgreementTemplate.objects.filter(biobank=biobank).select_related("created_by")
    fmt = export_format(request) if request.method == "GET" else None
    if fmt is not None:
        return export_response(
            items=versions, columns=AGREEMENT_COLUMNS, name=f"agreements-{biobank.code}", export_format=fmt
        )
    context = {
        "biobank": biobank,
        "versions": versions,
        "form": form,
        "may_publish": may_publish,
        "export": export_links(request),
    }
    return render(request, "access_requests/agreements/list.html", context)


@login_required
def agreement_detail(request: AuthenticatedHttpRequest, code: str, pk: int) -> HttpResponse:
    biobank = biobank_for(request, code)
    template = AgreementTemplate.objects.filter(biobank=biobank, pk=pk).first()
    if template is None:
        raise Http404(_("This biobank has no such agreement version."))
    return render(request, "access_requests/agreements/detail.html", {"biobank": biobank, "template": template})


def _resource(request: AuthenticatedHttpRequest, pk: int, resource_pk: int) -> tuple[AccessRequest, RequestResource]:
    try:
        access_request = request_get_for(user=request.user, pk=pk)
        return access_request, resource_get_for(user=request.user, request=access_request, pk=resource_pk)
    except (AccessRequest.DoesNotExist, RequestResource.DoesNotExist):
        raise Http404(_("No such request is visible to you.")) from None


@login_required
@require_http_methods(["GET", "POST"])
def conditions(request: AuthenticatedHttpRequest, pk: int, resource_pk: int) -> HttpResponse:
    access_request, resource = _resource(request, pk, resource_pk)
    template = agreement_for_resource(resource)
    form = ResearcherAcceptForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            agreement_accept(
                actor=request.user,
                resource=resource,
                role=SignatoryRole.RESEARCHER,
                ip=client_address(request),
                **form.cleaned_data,
            )
        except ForbiddenError:
            raise
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("You accepted the conditions; the institutional signatory has been asked."))
            return redirect("access_requests:conditions", pk=pk, resource_pk=resource.pk)
    context = {
        "access_request": access_request,
        "resource": resource,
        "template": template,
        "conditions": resource.conditions.all(),
        "acceptances": resource.acceptances.select_related("template"),
        "open": resource.status == ResourceStatus.CONDITIONS_INDICATED,
        "is_researcher": access_request.researcher_id == request.user.pk,
        "form": form,
        "decline_form": DeclineForm(),
    }
    return render(request, "access_requests/agreements/conditions.html", context)


@login_required
@require_POST
def decline(request: AuthenticatedHttpRequest, pk: int, resource_pk: int) -> HttpResponse:
    _access_request, resource = _resource(request, pk, resource_pk)
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            conditions_decline(actor=request.user, resource=resource, reason=form.cleaned_data["reason"])
        except ForbiddenError:
            raise
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("You declined the conditions."))
    else:
        messages.error(request, _("Say why you decline the conditions."))
    return redirect("access_requests:conditions", pk=pk, resource_pk=resource.pk)


@require_http_methods(["GET", "POST"])
def sign(request: HttpRequest, token: str) -> HttpResponse:
    """The institutional signatory's page: no account needed, the e-mailed link is the proof."""
    try:
        link = signing_link_get(token)
    except SigningLink.DoesNotExist:
        raise Http404(_("This signing link is not valid: it was used, replaced or has expired.")) from None
    form = AcceptForm(request.POST if request.method == "POST" else None, initial={"version": link.template.version})
    if request.method == "POST" and form.is_valid():
        try:
            agreement_accept_by_link(
                token=token,
                name=form.cleaned_data["name"],
                confirm=form.cleaned_data["confirm"],
                ip=client_address(request),
                actor=request.user,
            )
        except DomainError as error:
            add_domain_error(form, error)
        except SigningLink.DoesNotExist:
            raise Http404(_("This signing link is not valid any more.")) from None
        else:
            return render(request, "access_requests/agreements/signed.html", {"link": link})
    context = {
        "link": link,
        "resource": link.resource,
        "template": link.template,
        "conditions": link.resource.conditions.all(),
        "form": form,
    }
    return render(request, "access_requests/agreements/sign.html", context)
