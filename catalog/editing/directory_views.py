"""Contact persons, networks and research resources of a biobank's catalogue: simple create and edit pages.

Persons and research resources belong to one biobank; a network is edited from any of its member biobanks (and a
network created here has the biobank as its first member). Another biobank's object is a 404.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from biobank.accounts.models import Biobank
from biobank.accounts.principals import AuthenticatedHttpRequest
from biobank.errors import DomainError, ForbiddenError

from .. import services
from ..models import Network, Person, ResearchResource
from .access import managed_biobank
from .forms import NetworkForm, PersonForm, ResearchResourceForm, add_invalid_fields


def _initial(instance: Any, form_class: type[forms.Form]) -> dict[str, Any]:
    if instance is None:
        return {}
    initial = {name: getattr(instance, name) for name in form_class.base_fields if name != "collections"}
    if isinstance(instance, ResearchResource):
        initial["collections"] = list(instance.collections.all())
    return initial


def _page(
    request: AuthenticatedHttpRequest, biobank: Biobank, form: forms.Form, save: Any, *, title: str, saved: str
) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except ForbiddenError:
            raise
        except DomainError as error:
            add_invalid_fields(form, error)
        else:
            messages.success(request, saved)
            return redirect("catalog_manage:biobank", biobank.code)
    return render(request, "catalog/editing/simple_form.html", {"biobank": biobank, "form": form, "title": title})


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request: AuthenticatedHttpRequest, code: str, person_id: int | None = None) -> HttpResponse:
    biobank = managed_biobank(request, code)
    person = get_object_or_404(Person, biobank=biobank, pk=person_id) if person_id else None
    form = PersonForm(request.POST or None, initial=_initial(person, PersonForm))

    def save(data: dict[str, Any]) -> None:
        services.person_save(actor=request.user, person=person, biobank=biobank, **data)

    title = _("Edit contact person") if person else _("New contact person")
    return _page(request, biobank, form, save, title=title, saved=_("The contact person was saved."))


@login_required
@require_http_methods(["GET", "POST"])
def network_edit(request: AuthenticatedHttpRequest, code: str, network_id: int | None = None) -> HttpResponse:
    biobank = managed_biobank(request, code)
    network = get_object_or_404(Network, member_biobanks=biobank, pk=network_id) if network_id else None
    form = NetworkForm(
        request.POST or None, initial=_initial(network, NetworkForm), biobank=biobank,
        current_contact=network.contact_id if network else None,
    )  # fmt: skip

    def save(data: dict[str, Any]) -> None:
        if network is None:  # the biobank creating it is its first member; members join from their own page
            data["member_biobanks"] = [biobank]
        services.network_save(actor=request.user, network=network, **data)

    title = _("Edit network") if network else _("New network")
    return _page(request, biobank, form, save, title=title, saved=_("The network was saved."))


@login_required
@require_http_methods(["GET", "POST"])
def resource_edit(request: AuthenticatedHttpRequest, code: str, resource_id: int | None = None) -> HttpResponse:
    biobank = managed_biobank(request, code)
    resource = get_object_or_404(ResearchResource, biobank=biobank, pk=resource_id) if resource_id else None
    form = ResearchResourceForm(
        request.POST or None, initial=_initial(resource, ResearchResourceForm), biobank=biobank,
        current_contact=resource.contact_id if resource else None,
    )  # fmt: skip

    def save(data: dict[str, Any]) -> None:
        services.research_resource_save(actor=request.user, biobank=biobank, resource=resource, **data)

    title = _("Edit research resource") if resource else _("New research resource")
    return _page(request, biobank, form, save, title=title, saved=_("The research resource was saved."))
