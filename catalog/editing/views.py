"""Staff editing of the catalogue (/catalogue/manage/): a biobank's description, its collections, the data quality.

Views are thin: they check who may see or change (``.access``), parse the form, call ``catalog.services`` and put the
service's ``InvalidFields`` errors at their fields, all at once, with the values kept.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms.utils import ErrorDict
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from biobank.accounts.choices import Perm
from biobank.accounts.principals import AuthenticatedHttpRequest
from biobank.accounts.selectors import biobanks_with_perm
from biobank.errors import DomainError, ForbiddenError
from biobank.web.export import EXPORT_FORMATS, Column, export_format, export_links, export_response

from .. import services
from ..models import BiobankProfile, Collection, Network, Person, PublicationState, ResearchResource
from ..quality import biobank_findings
from ..services import COLLECTION_DESCRIPTION_FIELDS, publication_problems
from .access import can_manage, catalog_biobank, managed_biobank
from .fields import search_diseases
from .forms import CollectionForm, ProfileForm, add_invalid_fields

PROFILE_FIELDS = (
    "bbmri_id", "acronym", "description", "url", "juristic_person", "location", "contact", "head",
    "infrastructural_capabilities", "organisational_capabilities", "bioprocessing_capabilities",
    "collaboration_commercial", "collaboration_non_for_profit", "withdrawn", "state",
)  # fmt: skip


# The index's columns, as the page shows them; a row is (biobank, its quality).
INDEX_COLUMNS = (
    Column(gettext_lazy("Biobank"), lambda row: row[0].name),
    Column(gettext_lazy("Collections"), lambda row: len(row[1].collections)),
    Column(gettext_lazy("Errors"), lambda row: row[1].counts["error"]),
    Column(gettext_lazy("Warnings"), lambda row: row[1].counts["warning"]),
)
# The biobank page's collection table; a row is (collection, its parent or None, its findings).
COLLECTION_COLUMNS = (
    Column(gettext_lazy("Name"), lambda row: row[0].name),
    Column(gettext_lazy("Code"), lambda row: row[0].code),
    Column(gettext_lazy("Part of"), lambda row: row[1].name if row[1] else ""),
    Column(gettext_lazy("State"), lambda row: row[0].get_state_display()),
    Column(gettext_lazy("Contact"), lambda row: row[0].contact),
    Column(gettext_lazy("Findings"), lambda row: [finding.message for finding in row[2]]),
)
# The biobank page's short lists, each its own file (``?list=<name>&format=csv|xlsx``), as the page shows them.
SECTION_COLUMNS = {
    "persons": (Column(gettext_lazy("Name"), str), Column(gettext_lazy("E-mail"), "email")),
    "networks": (Column(gettext_lazy("Name"), "name"), Column(gettext_lazy("BBMRI-ERIC ID"), "bbmri_id")),
    "resources": (Column(gettext_lazy("Title"), "title"),),
}


@login_required
@require_GET
def index(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """The biobanks whose catalogue the person may see, with how many problems each has; ``?format=csv|xlsx`` is
    that list as a file."""
    biobanks = list(biobanks_with_perm(user=request.user, perm=Perm.VIEW_CATALOG).order_by("name"))
    quality = biobank_findings(biobanks)
    rows = [(biobank, quality[biobank.pk]) for biobank in biobanks]
    fmt = export_format(request)
    if fmt is not None:
        return export_response(items=rows, columns=INDEX_COLUMNS, name="catalogue-management", export_format=fmt)
    exchange = biobanks_with_perm(user=request.user, perm=Perm.MANAGE_CATALOG).exists()
    context = {"rows": rows, "exchange": exchange, "export": export_links(request)}
    return render(request, "catalog/editing/index.html", context)


@login_required
@require_GET
def biobank_page(request: AuthenticatedHttpRequest, code: str) -> HttpResponseBase:
    """The biobank's catalogue: its description, the data-quality panel, collections, persons, networks, studies;
    ``?format=csv|xlsx`` is the collection table as a file, with ``list=persons|networks|resources`` that list."""
    biobank = catalog_biobank(request, code)
    quality = biobank_findings([biobank])[biobank.pk]
    by_pk = {c.pk: c for c in quality.collections}
    collections = [
        (c, by_pk.get(c.parent_id) if c.parent_id else None, quality.by_collection[c.pk]) for c in quality.collections
    ]
    sections = {
        "persons": Person.objects.filter(biobank=biobank),
        "networks": Network.objects.filter(member_biobanks=biobank),
        "resources": ResearchResource.objects.filter(biobank=biobank),
    }
    fmt = export_format(request)
    if fmt is not None:
        section = request.GET.get("list", "")
        if section in SECTION_COLUMNS:
            name = f"catalogue-{section}-{biobank.code}"
            return export_response(
                items=sections[section], columns=SECTION_COLUMNS[section], name=name, export_format=fmt
            )
        name = f"catalogue-collections-{biobank.code}"
        return export_response(items=collections, columns=COLLECTION_COLUMNS, name=name, export_format=fmt)
    profile = BiobankProfile.objects.filter(biobank=biobank).select_related("contact").first()
    context = {
        "export": export_links(request),
        "section_exports": {
            section: {fmt: f"{request.path}?{urlencode({'list': section, 'format': fmt})}" for fmt in EXPORT_FORMATS}
            for section in SECTION_COLUMNS
        },
        "biobank": biobank,
        "profile": profile,
        "quality": quality,
        "collections": collections,
        **sections,
        "can_manage": can_manage(request, biobank),
    }
    return render(request, "catalog/editing/biobank.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    biobank = managed_biobank(request, code)
    profile = BiobankProfile.objects.filter(biobank=biobank).first()
    initial: dict[str, Any] = {"state": PublicationState.DRAFT}
    if profile is not None:
        initial = {name: getattr(profile, name) for name in PROFILE_FIELDS}
    form = ProfileForm(request.POST or None, initial=initial, biobank=biobank, profile=profile)
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_save(actor=request.user, biobank=biobank, **form.cleaned_data)
        except ForbiddenError:
            raise
        except DomainError as error:
            add_invalid_fields(form, error, {"quality_standards": "quality_standard_0"})
        else:
            messages.success(request, _("The description of %(biobank)s was saved.") % {"biobank": biobank.name})
            return redirect("catalog_manage:biobank", biobank.code)
    return render(request, "catalog/editing/profile_form.html", {"biobank": biobank, "form": form})


def _collection(biobank: Any, pk: int) -> Collection:
    return get_object_or_404(Collection.objects.select_related("biobank", "parent"), biobank=biobank, pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def collection_edit(request: AuthenticatedHttpRequest, code: str, pk: int) -> HttpResponse:
    biobank = managed_biobank(request, code)
    collection = _collection(biobank, pk)
    initial = {name: getattr(collection, name) for name in COLLECTION_DESCRIPTION_FIELDS}
    initial["bbmri_id"] = collection.bbmri_id or ""
    form = CollectionForm(request.POST or None, initial=initial, collection=collection)
    found: list[Any] = []
    query = ""
    if request.method == "POST" and "find_diseases" in request.POST:
        # The search button of the diseases picker without JavaScript: the same form again, values kept and not
        # checked yet, with the matches offered as more boxes to tick.
        form._errors = ErrorDict()  # type: ignore[attr-defined]
        query = request.POST.get("disease_q", "")
        found = search_diseases(query, exclude=frozenset(request.POST.getlist("diseases")))
    elif request.method == "POST" and form.is_valid():
        try:
            services.collection_describe(actor=request.user, collection=collection, **form.cleaned_data)
        except ForbiddenError:
            raise
        except DomainError as error:
            add_invalid_fields(form, error, {"diseases": "diseases_add"})  # the text box where codes are typed
            collection = _collection(biobank, pk)  # the service changed the instance before it refused
        else:
            messages.success(request, _("The collection “%(name)s” was saved.") % {"name": collection.name})
            return redirect("catalog_manage:collection", biobank.code, collection.pk)
    quality = biobank_findings([biobank])[biobank.pk]
    context = {
        "biobank": biobank,
        "collection": collection,
        "form": form,
        "found": found,
        "query": query,
        "searched": bool(query),
        "problems": publication_problems(collection),
        "findings": quality.by_collection.get(collection.pk, []),
    }
    return render(request, "catalog/editing/collection_form.html", context)


@login_required
@require_POST
def collection_state(request: AuthenticatedHttpRequest, code: str, pk: int) -> HttpResponse:
    """Publish a collection, or set it back to draft; a refusal lists what MIABIS still requires."""
    biobank = managed_biobank(request, code)
    collection = _collection(biobank, pk)
    state = request.POST.get("state", "")
    try:
        services.collection_set_state(actor=request.user, collection=collection, state=state)
    except ForbiddenError:
        raise
    except DomainError as error:
        missing = [m for messages_ in getattr(error, "errors", {}).values() for m in messages_] or [error.message]
        messages.error(
            request,
            _("“%(name)s” was not changed: %(missing)s") % {"name": collection.name, "missing": " ".join(missing)},
        )
    else:
        if state == PublicationState.PUBLISHED:
            text = _("“%(name)s” is published: the public catalogue shows it.")
        else:
            text = _("“%(name)s” is a draft again: only staff see it.")
        messages.success(request, text % {"name": collection.name})
    return redirect("catalog_manage:collection", biobank.code, collection.pk)


@login_required
@require_GET
def disease_search(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """ICD-10 codes by code or title: boxes to tick in the collection form (htmx), or a page to read the codes from."""
    biobank = managed_biobank(request, code)
    query = request.GET.get("disease_q", request.GET.get("q", ""))
    found = search_diseases(query, exclude=frozenset(request.GET.getlist("diseases")))
    context = {"biobank": biobank, "found": found, "query": query, "searched": bool(query.strip())}
    if getattr(request, "htmx", False):
        return render(request, "catalog/editing/_disease_results.html", context)
    return render(request, "catalog/editing/disease_search.html", context)
