"""API tokens of a biobank for partner systems: list, create (the secret is shown once), revoke."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from biobank.accounts import services
from biobank.accounts.choices import Perm, perm_label
from biobank.accounts.models import ApiToken
from biobank.accounts.principals import AuthenticatedHttpRequest
from biobank.accounts.selectors import api_tokens_of_biobank
from biobank.errors import DomainError, ForbiddenError
from biobank.web.access import biobank_for
from biobank.web.export import Column, export_format, export_links, export_response
from biobank.web.forms import TokenCreateForm, add_domain_error


def _with_labels(token: ApiToken) -> ApiToken:
    token.permission_labels = [str(perm_label(p)) for p in token.permissions]  # type: ignore[attr-defined]
    return token


def _token_status(token: ApiToken) -> str:
    if token.is_revoked:
        return _("Revoked")
    return _("Expired") if token.is_expired else _("Active")


# The token list's columns, as the page shows them (never a secret: only its prefix is stored).
TOKEN_COLUMNS = (
    Column(gettext_lazy("Name"), "name"),
    Column(gettext_lazy("Prefix"), "key_prefix"),
    Column(gettext_lazy("Permissions"), lambda token: [str(perm_label(p)) for p in token.permissions]),
    Column(gettext_lazy("Created"), "created_at"),
    Column(gettext_lazy("Created by"), lambda token: token.created_by.email if token.created_by else _("system")),
    Column(gettext_lazy("Expires"), "expires_at"),
    Column(gettext_lazy("Last used"), "last_used_at"),
    Column(gettext_lazy("Last used from"), "last_used_ip"),
    Column(gettext_lazy("Status"), _token_status),
)


@login_required
def token_list(request: AuthenticatedHttpRequest, code: str) -> HttpResponseBase:
    biobank = biobank_for(request, code, Perm.MANAGE_API_TOKENS)
    found = api_tokens_of_biobank(user=request.user, biobank=biobank)
    fmt = export_format(request)
    if fmt is not None:
        return export_response(items=found, columns=TOKEN_COLUMNS, name=f"api-tokens-{biobank.code}", export_format=fmt)
    tokens = [_with_labels(token) for token in found]
    context = {"biobank": biobank, "tokens": tokens, "export": export_links(request)}
    return render(request, "web/tokens.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def token_create(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    biobank = biobank_for(request, code, Perm.MANAGE_API_TOKENS)
    form = TokenCreateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = services.api_token_create(
                actor=request.user,
                biobank=biobank,
                name=form.cleaned_data["name"],
                permissions=form.cleaned_data["permissions"],
                expires_at=form.cleaned_data["expires_on"],
            )
        except ForbiddenError:
            raise  # the browser's 403 page, not a form error
        except DomainError as error:
            add_domain_error(form, error, {"expires_at": "expires_on"})
        else:
            # The only response that ever contains the secret; never_cache keeps it out of caches.
            context = {"biobank": biobank, "token": _with_labels(token), "secret": secret}
            return render(request, "web/token_created.html", context, status=201)
    return render(request, "web/token_form.html", {"biobank": biobank, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def token_revoke(request: AuthenticatedHttpRequest, code: str, token_id: int) -> HttpResponse:
    biobank = biobank_for(request, code, Perm.MANAGE_API_TOKENS)
    token = api_tokens_of_biobank(user=request.user, biobank=biobank).filter(pk=token_id).first()
    if token is None:
        raise Http404(_("This biobank has no such token."))
    if request.method == "POST":
        services.api_token_revoke(actor=request.user, token=token)
        messages.success(request, _("The token “%(name)s” was revoked; it no longer works.") % {"name": token.name})
        return redirect("web:tokens", code=biobank.code)
    return render(request, "web/token_revoke.html", {"biobank": biobank, "token": token})
