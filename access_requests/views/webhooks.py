"""A biobank's webhook endpoints (admins with MANAGE_API_TOKENS): add one (its secret shown once), deactivate,
see recent deliveries, send a failed one again."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from biobank.accounts.choices import Perm
from biobank.accounts.models import Biobank
from biobank.accounts.principals import AuthenticatedHttpRequest
from biobank.errors import DomainError, InvalidFields
from biobank.web.access import biobank_for
from biobank.web.export import EXPORT_FORMATS, Column, export_format, export_links, export_response

from ..models import WebhookDelivery, WebhookEndpoint
from ..selectors import webhook_endpoints_visible_to
from ..services import webhooks as services

RECENT_DELIVERIES = 20

# The endpoint list's columns, as the page shows them: never the secret.
ENDPOINT_COLUMNS = (
    Column(gettext_lazy("URL"), "url"),
    Column(gettext_lazy("Event kinds"), lambda endpoint: endpoint.events or _("all")),
    Column(gettext_lazy("State"), lambda endpoint: _("active") if endpoint.active else _("inactive")),
)


# The deliveries table's columns (``?list=deliveries``): every delivery of the biobank's endpoints, not only the
# page's last 20.
DELIVERY_COLUMNS = (
    Column(gettext_lazy("Created"), "created_at"),
    Column(gettext_lazy("Event"), "event"),
    Column(gettext_lazy("URL"), "endpoint.url"),
    Column(gettext_lazy("Status"), lambda delivery: delivery.get_status_display()),
    Column(gettext_lazy("Attempts"), "attempts"),
    Column(gettext_lazy("Last error"), "last_error"),
)


class EndpointForm(forms.Form):
    url = forms.CharField(
        label=gettext_lazy("URL"), max_length=200, help_text=gettext_lazy("An http:// or https:// address")
    )
    events = forms.CharField(
        label=gettext_lazy("Event kinds"),
        required=False,
        help_text=gettext_lazy(
            "Comma-separated, e.g. request.submitted, resource.*; leave empty to receive every event."
        ),
    )


def _endpoint(request: AuthenticatedHttpRequest, biobank: Biobank, endpoint_id: int) -> WebhookEndpoint:
    endpoint = webhook_endpoints_visible_to(user=request.user).filter(biobank=biobank, pk=endpoint_id).first()
    if endpoint is None:
        raise Http404(_("This biobank has no such webhook endpoint."))
    return endpoint


def _page(request: AuthenticatedHttpRequest, biobank: Biobank, form: EndpointForm, **extra: object) -> HttpResponse:
    endpoints = list(webhook_endpoints_visible_to(user=request.user).filter(biobank=biobank).order_by("-created_at"))
    deliveries = (
        WebhookDelivery.objects.filter(endpoint__in=endpoints)
        .select_related("endpoint")
        .order_by("-created_at", "-id")[:RECENT_DELIVERIES]
    )
    context = {
        "biobank": biobank,
        "endpoints": endpoints,
        "deliveries": deliveries,
        "form": form,
        "export": export_links(request),
        "delivery_export": {
            fmt: f"{request.path}?{urlencode({'list': 'deliveries', 'format': fmt})}" for fmt in EXPORT_FORMATS
        },
        **extra,
    }
    return render(request, "access_requests/notifications/webhooks.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def webhook_list(request: AuthenticatedHttpRequest, code: str) -> HttpResponseBase:
    """The endpoints and recent deliveries; ``?format=csv|xlsx`` is the endpoint list as a file, with
    ``list=deliveries`` every delivery."""
    biobank = biobank_for(request, code, Perm.MANAGE_API_TOKENS)
    fmt = export_format(request) if request.method == "GET" else None
    if fmt is not None:
        endpoints = webhook_endpoints_visible_to(user=request.user).filter(biobank=biobank).order_by("-created_at")
        if request.GET.get("list") == "deliveries":
            deliveries = (
                WebhookDelivery.objects.filter(endpoint__in=endpoints)
                .select_related("endpoint")
                .order_by("-created_at", "-id")
            )
            name = f"webhook-deliveries-{biobank.code}"
            return export_response(items=deliveries, columns=DELIVERY_COLUMNS, name=name, export_format=fmt)
        return export_response(
            items=endpoints, columns=ENDPOINT_COLUMNS, name=f"webhooks-{biobank.code}", export_format=fmt
        )
    form = EndpointForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        kinds = form.cleaned_data["events"].split(",")
        try:
            endpoint = services.webhook_endpoint_create(
                actor=request.user, biobank=biobank, url=form.cleaned_data["url"], events=kinds
            )
        except InvalidFields as error:
            for field, problems in error.errors.items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
        else:
            return _page(request, biobank, EndpointForm(), new_endpoint=endpoint)
    return _page(request, biobank, form)


@login_required
@require_POST
def webhook_deactivate(request: AuthenticatedHttpRequest, code: str, endpoint_id: int) -> HttpResponse:
    biobank = biobank_for(request, code, Perm.MANAGE_API_TOKENS)
    endpoint = _endpoint(request, biobank, endpoint_id)
    try:
        services.webhook_endpoint_deactivate(actor=request.user, endpoint=endpoint)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The endpoint %(url)s no longer receives events.") % {"url": endpoint.url})
    return redirect("access_requests:webhooks", biobank.code)


@login_required
@require_POST
def webhook_redeliver(request: AuthenticatedHttpRequest, code: str, delivery_id: int) -> HttpResponse:
    biobank = biobank_for(request, code, Perm.MANAGE_API_TOKENS)
    endpoints = webhook_endpoints_visible_to(user=request.user).filter(biobank=biobank)
    delivery = WebhookDelivery.objects.filter(endpoint__in=endpoints, pk=delivery_id).first()
    if delivery is None:
        raise Http404(_("This biobank has no such webhook delivery."))
    try:
        services.webhook_delivery_redeliver(actor=request.user, delivery=delivery)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The delivery will be sent again now."))
    return redirect("access_requests:webhooks", biobank.code)
