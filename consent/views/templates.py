"""Consent template pages: the list of versions, one version, a new version, activation, the diff."""

from __future__ import annotations

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
from biobank.accounts.selectors import user_has_biobank_perm
from biobank.errors import DomainError, ForbiddenError
from biobank.web.access import biobank_for
from biobank.web.export import Column, export_format, export_links, export_response
from biobank.web.forms import add_domain_error

from .. import services
from ..diffs import template_diff
from ..forms.consents import NewVersionForm
from ..models import Template
from ..selectors import template_previous, templates_visible_to


def _template(request: AuthenticatedHttpRequest, biobank: Biobank, template_id: int) -> Template:
    template = templates_visible_to(user=request.user).filter(biobank=biobank, pk=template_id).first()
    if template is None:
        raise Http404(_("This biobank has no such consent template."))
    return template


# The list's columns, as the page shows them.
TEMPLATE_COLUMNS = (
    Column(gettext_lazy("Form"), "code"),
    Column(gettext_lazy("Version"), "version_label"),
    Column(gettext_lazy("Type"), "get_type_display"),
    Column(gettext_lazy("Status"), "get_status_display"),
    Column(gettext_lazy("Languages"), lambda template: [text.language for text in template.texts.all()]),
    Column(gettext_lazy("First signed"), "signed_at"),
)


@login_required
def template_list(request: AuthenticatedHttpRequest, code: str) -> HttpResponseBase:
    biobank = biobank_for(request, code, Perm.MANAGE_CONSENT)
    templates = templates_visible_to(user=request.user).filter(biobank=biobank).order_by("code", "-number")
    fmt = export_format(request)
    if fmt is not None:
        name = f"consent-templates-{biobank.code}"
        return export_response(items=templates, columns=TEMPLATE_COLUMNS, name=name, export_format=fmt)
    context = {"biobank": biobank, "templates": templates, "export": export_links(request)}
    return render(request, "consent/template_list.html", context)


@login_required
def template_detail(request: AuthenticatedHttpRequest, code: str, template_id: int) -> HttpResponse:
    biobank = biobank_for(request, code, Perm.MANAGE_CONSENT)
    template = _template(request, biobank, template_id)
    context = {
        "biobank": biobank,
        "template": template,
        "previous": template_previous(template=template),
        "links": template.template_modules.all(),
        # the history partial answers only auditors: nobody else's page asks for it (no 403 in the console)
        "can_history": user_has_biobank_perm(user=request.user, biobank=biobank, perm=Perm.VIEW_AUDIT),
    }
    return render(request, "consent/template_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def template_new_version(request: AuthenticatedHttpRequest, code: str, template_id: int) -> HttpResponse:
    biobank = biobank_for(request, code, Perm.MANAGE_CONSENT)
    previous = _template(request, biobank, template_id)
    form = NewVersionForm(request.POST if request.method == "POST" else None, previous=previous)
    if request.method == "POST" and form.is_valid():
        try:
            template = services.template_new_version(
                actor=request.user,
                previous=previous,
                version_label=form.cleaned_data["version_label"],
                texts=form.texts(),
                module_texts=form.module_texts(),
                policy_uri=form.cleaned_data["policy_uri"],
            )
        except ForbiddenError:
            raise  # the browser's 403 page, not a form error
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Draft %(version)s created.") % {"version": template.version_label})
            return redirect("consent:template_detail", code=biobank.code, template_id=template.pk)
    context = {"biobank": biobank, "previous": previous, "form": form}
    return render(request, "consent/template_new_version.html", context)


@login_required
@require_POST
def template_activate(request: AuthenticatedHttpRequest, code: str, template_id: int) -> HttpResponse:
    biobank = biobank_for(request, code, Perm.MANAGE_CONSENT)
    template = _template(request, biobank, template_id)
    try:
        services.template_activate(actor=request.user, template=template)
    except ForbiddenError:
        raise  # the browser's 403 page, not a form error
    except DomainError as error:
        messages.error(request, error.message)
    else:
        label = template.version_label
        messages.success(request, _("%(version)s is now the version donors sign.") % {"version": label})
    return redirect("consent:template_detail", code=biobank.code, template_id=template.pk)


@login_required
def template_diff_view(request: AuthenticatedHttpRequest, code: str, template_id: int) -> HttpResponse:
    biobank = biobank_for(request, code, Perm.MANAGE_CONSENT)
    template = _template(request, biobank, template_id)
    previous = template_previous(template=template)
    if previous is None:
        raise Http404(_("This is the first version; there is nothing to compare it with."))
    sections = template_diff(previous, template)
    context = {"biobank": biobank, "template": template, "previous": previous, "sections": sections}
    return render(request, "consent/template_diff.html", context)
