"""Catalogue pages: the policies and modules of a biobank, and new policies, modules and templates.

The same permission pattern as the template pages: the page needs ``manage_consent`` on the biobank (403 for a
member without it, 404 for a foreign biobank); reads go through the catalogue selectors; writes through the
services, whose ``DomainError`` is shown next to the field it names, nothing written.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from biobank.accounts.choices import Perm
from biobank.accounts.principals import AuthenticatedHttpRequest
from biobank.errors import DomainError, ForbiddenError
from biobank.web.access import biobank_for
from biobank.web.export import Column, export_format, export_links, export_response
from biobank.web.forms import add_domain_error

from .. import services
from ..duo import DuoTerm, duo_terms
from ..forms.catalogue import TEXTS_FIELD, ModuleForm, PolicyForm, TemplateCreateForm
from ..selectors.catalogue import modules_of_biobank, policies_of_biobank


def _scope(item: Any) -> str:
    return str(_("This biobank") if item.biobank_id else _("Network-wide"))


def _versioned(item: Any) -> str:
    return f"{item.code} v{item.version}" if item is not None else ""


# The lists' columns, as the pages show them.
POLICY_COLUMNS = (
    Column(gettext_lazy("Policy"), _versioned),
    Column(gettext_lazy("Name"), "name"),
    Column(gettext_lazy("Description"), "description"),
    Column(gettext_lazy("Action"), "get_action_display"),
    Column(gettext_lazy("Class"), "get_data_class_display"),
    Column(gettext_lazy("Purpose"), "purpose"),
    Column(gettext_lazy("DUO terms"), lambda policy: [term.shorthand for term in policy.duo_display]),
    Column(gettext_lazy("DUO disease"), "duo_disease"),
    Column(gettext_lazy("Validity"), "validity"),
    Column(gettext_lazy("Code (FHIR)"), "coding_code"),
    Column(gettext_lazy("Code system"), "coding_system"),
    Column(gettext_lazy("Scope"), _scope),
)
MODULE_COLUMNS = (
    Column(gettext_lazy("Module"), _versioned),
    Column(gettext_lazy("Title"), "display_title"),
    Column(gettext_lazy("Mandatory"), lambda module: str(_("yes") if module.mandatory else _("no"))),
    Column(gettext_lazy("Pre-selected"), lambda module: "" if module.mandatory else module.get_default_state_display()),
    Column(gettext_lazy("Nested in"), lambda module: _versioned(module.parent)),
    Column(gettext_lazy("Policies"), lambda module: [_versioned(policy) for policy in module.policies.all()]),
    Column(gettext_lazy("Validity"), "validity"),
    Column(gettext_lazy("Scope"), _scope),
)


@require_GET
@login_required
def policy_list(request: AuthenticatedHttpRequest, code: str) -> HttpResponseBase:
    biobank = biobank_for(request, code, Perm.MANAGE_CONSENT)
    policies = list(policies_of_biobank(user=request.user, biobank=biobank))
    terms = duo_terms()
    for policy in policies:
        policy.duo_display = [terms.get(t) or DuoTerm(t, t, "", "") for t in policy.duo_terms]  # type: ignore[attr-defined]
    fmt = export_format(request)
    if fmt is not None:
        name = f"consent-policies-{biobank.code}"
        return export_response(items=policies, columns=POLICY_COLUMNS, name=name, export_format=fmt)
    context = {"biobank": biobank, "policies": policies, "export": export_links(request)}
    return render(request, "consent/catalogue/policy_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def policy_create(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    biobank = biobank_for(request, code, Perm.MANAGE_CONSENT)
    form = PolicyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            policy = services.policy_create(actor=request.user, biobank=biobank, **form.cleaned_data)
        except ForbiddenError:
            raise  # the browser's 403 page, not a form error
        except DomainError as error:
            add_domain_error(form, error, {"class": "data_class"})
        else:
            messages.success(request, _("Policy %(policy)s created.") % {"policy": policy})
            return redirect("consent:policy_list", code=biobank.code)
    context = {"biobank": biobank, "form": form, "duo_terms": duo_terms().values()}
    return render(request, "consent/catalogue/policy_form.html", context)


@require_GET
@login_required
def module_list(request: AuthenticatedHttpRequest, code: str) -> HttpResponseBase:
    biobank = biobank_for(request, code, Perm.MANAGE_CONSENT)
    modules = list(modules_of_biobank(user=request.user, biobank=biobank))
    language = (get_language() or "en").split("-")[0]
    for module in modules:
        module.display_title = module.title_in(language)  # type: ignore[attr-defined]
    fmt = export_format(request)
    if fmt is not None:
        name = f"consent-modules-{biobank.code}"
        return export_response(items=modules, columns=MODULE_COLUMNS, name=name, export_format=fmt)
    context = {"biobank": biobank, "modules": modules, "export": export_links(request)}
    return render(request, "consent/catalogue/module_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def module_create(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    biobank = biobank_for(request, code, Perm.MANAGE_CONSENT)
    form = ModuleForm(
        request.POST if request.method == "POST" else None,
        policies=policies_of_biobank(user=request.user, biobank=biobank),
        modules=modules_of_biobank(user=request.user, biobank=biobank),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            module = services.module_create(
                actor=request.user,
                biobank=biobank,
                code=data["code"],
                texts=form.texts(),
                policies=data["policies"],
                mandatory=data["mandatory"],
                default_state=data["default_state"],
                parent=data["parent"],
                validity=data["validity"],
            )
        except ForbiddenError:
            raise  # the browser's 403 page, not a form error
        except DomainError as error:
            add_domain_error(form, error, {"texts": TEXTS_FIELD})
        else:
            messages.success(request, _("Module %(module)s created.") % {"module": module})
            return redirect("consent:module_list", code=biobank.code)
    return render(request, "consent/catalogue/module_form.html", {"biobank": biobank, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def template_create(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    biobank = biobank_for(request, code, Perm.MANAGE_CONSENT)
    form = TemplateCreateForm(
        request.POST if request.method == "POST" else None,
        modules=modules_of_biobank(user=request.user, biobank=biobank),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            template = services.template_create(
                actor=request.user,
                biobank=biobank,
                code=data["code"],
                version_label=data["version_label"],
                texts=form.texts(),
                modules=form.modules_in_order(),
                type=data["type"],
                valid_from=data["valid_from"],
                valid_to=data["valid_to"],
                consent_validity=data["consent_validity"],
                policy_uri=data["policy_uri"],
            )
        except ForbiddenError:
            raise  # the browser's 403 page, not a form error
        except DomainError as error:
            add_domain_error(form, error, {"texts": TEXTS_FIELD})
        else:
            messages.success(
                request,
                _("Draft %(code)s %(version)s created; activate it when donors should sign it.")
                % {"code": template.code, "version": template.version_label},
            )
            return redirect("consent:template_detail", code=biobank.code, template_id=template.pk)
    return render(request, "consent/catalogue/template_form.html", {"biobank": biobank, "form": form})
