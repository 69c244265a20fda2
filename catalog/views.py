"""Collection pages: the list of collections a person may see, and create/edit for catalogue managers."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from biobank.accounts.choices import Perm
from biobank.accounts.principals import AuthenticatedHttpRequest
from biobank.accounts.selectors import biobanks_with_perm
from biobank.errors import DomainError, ForbiddenError
from biobank.web.export import Column, export_format, export_links, export_response
from biobank.web.forms import add_domain_error

from . import services
from .forms import CollectionCreateForm, CollectionEditForm
from .selectors import collections_changeable_by, collections_visible_to

# The list's columns, as the page shows them.
COLLECTION_COLUMNS = (
    Column(gettext_lazy("Name"), "name"),
    Column(gettext_lazy("Description"), "description"),
    Column(gettext_lazy("Code"), "code"),
    Column(gettext_lazy("Biobank"), "biobank.name"),
    Column(gettext_lazy("Last changed"), "updated_at"),
)


@login_required
def collection_list(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    collections = collections_visible_to(user=request.user).order_by("biobank__name", "name")
    fmt = export_format(request)
    if fmt is not None:
        return export_response(items=collections, columns=COLLECTION_COLUMNS, name="collections", export_format=fmt)
    changeable = set(collections_changeable_by(user=request.user).values_list("pk", flat=True))
    can_create = biobanks_with_perm(user=request.user, perm=Perm.MANAGE_CATALOG).exists()
    context = {
        "collections": collections,
        "changeable": changeable,
        "can_create": can_create,
        "export": export_links(request),
    }
    return render(request, "catalog/collection_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def collection_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    biobanks = biobanks_with_perm(user=request.user, perm=Perm.MANAGE_CATALOG).order_by("name")
    if not biobanks:
        raise PermissionDenied(_("Creating a collection needs the permission to manage a biobank's catalogue."))
    form = CollectionCreateForm(request.POST if request.method == "POST" else None, biobanks=biobanks)
    if request.method == "POST" and form.is_valid():
        try:
            collection = services.collection_create(actor=request.user, **form.cleaned_data)
        except ForbiddenError:
            raise  # the browser's 403 page, not a form error
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The collection “%(name)s” was created.") % {"name": collection.name})
            return redirect("catalog:collection_list")
    return render(request, "catalog/collection_form.html", {"form": form, "collection": None})


@login_required
@require_http_methods(["GET", "POST"])
def collection_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    collection = collections_changeable_by(user=request.user).filter(pk=pk).first()
    if collection is None:
        if collections_visible_to(user=request.user).filter(pk=pk).exists():  # seen but not managed: as the API
            raise PermissionDenied(_("You may see this collection but not edit it; this needs manage_catalog."))
        raise Http404(_("No collection with this number that you may edit."))
    initial = {"name": collection.name, "description": collection.description}
    form = CollectionEditForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.collection_update(actor=request.user, collection=collection, **form.cleaned_data)
        except ForbiddenError:
            raise  # the browser's 403 page, not a form error
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The collection “%(name)s” was saved.") % {"name": collection.name})
            return redirect("catalog:collection_list")
    return render(request, "catalog/collection_form.html", {"form": form, "collection": collection})
