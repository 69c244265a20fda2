"""The public catalogue (issue 12, item 4): no login. Landing page, faceted search, CSV export, collection, biobank
and network pages, and the cart. Only published, not withdrawn descriptions are shown; sizes are exact for staff of
the collection's biobank and k-anonymous, obfuscated for everyone else. Forms are plain GET/POST forms (no script).
"""

from __future__ import annotations

import csv

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from .. import cart as carts
from .. import vocabularies as v
from ..facts.selectors import collection_sample_counts
from ..models import BiobankProfile, Collection, Network
from ..search import SearchError, SearchParams, parse_params, published_collections
from ..search_describe import describe
from ..search_facets import facet_counts
from ..search_results import exact_biobank_ids, export_rows, run_search
from . import presenters


def _page_number(request: HttpRequest) -> tuple[int, str]:
    raw = request.GET.get("page", "1")
    try:
        page = int(raw)
    except ValueError:
        return 1, _("%(value)r is not a page number; allowed: a whole number from 1.") % {"value": raw}
    return (
        (page, "")
        if page >= 1
        else (1, _("%(value)r is not a page number; allowed: a whole number from 1.") % {"value": raw})
    )


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The catalogue by category: material types, disease chapters, countries, biobanks and networks, with counts."""
    counts = facet_counts(SearchParams())
    names = presenters.biobank_and_network_names()
    views = {fv.key: fv for fv in presenters.facet_views(SearchParams(), counts, names)}
    network_ids = dict(Network.objects.filter(withdrawn=False).values_list("bbmri_id", "pk"))
    for option in views["biobank"].options:
        option.page = reverse("catalogue:biobank", args=[option.value])
    for option in views["network"].options:
        option.page = reverse("catalogue:network", args=[network_ids[option.value]])
    context = {
        "total": counts.total,
        "categories": [views[key] for key in ("material", "diagnosis", "country", "biobank", "network")],
    }
    return render(request, "catalog/public/home.html", context)


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    page, page_error = _page_number(request)
    errors: dict[str, str] = {"page": page_error} if page_error else {}
    try:
        params = parse_params(request.GET)
    except SearchError as error:
        errors |= error.errors
        params = SearchParams()
    if errors:
        counts = facet_counts(params)
        result = None
    else:
        result = run_search(params, user=request.user, page=page)
        counts = result.facets
    names = presenters.biobank_and_network_names()
    query = urlencode(params.query_items())
    context = {
        "params": params,
        "result": result,
        "errors": errors,
        "facets": presenters.facet_views(params, counts, names),
        "age_bands": presenters.age_bands(counts),
        "description": describe(params, names=names),
        "query": query,
        "here": request.get_full_path(),
        "in_cart": carts.cart_ids(request.session),
        "sorts": [("name", _("Name")), ("size", _("Size (samples)"))],
    }
    return render(request, "catalog/public/search.html", context, status=400 if errors else 200)


EXPORT_COLUMNS = ("id", "name", "biobank", "country", "materials", "diseases", "size")


@require_GET
def export(request: HttpRequest) -> HttpResponse:
    """The current search's result as CSV (the same parameters as the search page)."""
    try:
        params = parse_params(request.GET)
    except SearchError as error:
        body = "\n".join(f"{name}: {message}" for name, message in error.errors.items())
        return HttpResponse(body, status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="catalogue-search.csv"'
    writer = csv.writer(response)
    writer.writerow(EXPORT_COLUMNS)
    for entry in export_rows(params, user=request.user):
        c = entry.collection
        writer.writerow(
            [
                _safe(c.bbmri_id or str(c.pk)),
                _safe(c.name),
                _safe(c.biobank.name),
                c.country or c.biobank.country,
                " | ".join(c.materials),
                " | ".join(c.diseases),
                "" if entry.size is None else entry.size,
            ]
        )
    return response


def _without(query: QueryDict, name: str) -> QueryDict:
    copy = query.copy()
    copy.pop(name, None)
    return copy


def _safe(text: str) -> str:
    """A cell a spreadsheet would run as a formula starts with a quote instead (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _sizes_for(request: HttpRequest, collections: list[Collection]) -> dict[int, tuple[int | None, bool]]:
    exact_ids = set(exact_biobank_ids(request.user))
    own = [c.pk for c in collections if c.biobank_id in exact_ids]
    sizes = collection_sample_counts(own, exact=True) | collection_sample_counts(
        [c.pk for c in collections if c.pk not in own], exact=False
    )
    return {pk: (size, pk in own) for pk, size in sizes.items()}


@require_GET
def collection(request: HttpRequest, pk: int) -> HttpResponse:
    found = published_collections().select_related("biobank", "biobank__profile", "contact", "parent").filter(pk=pk)
    item = found.first()
    if item is None:
        raise Http404(_("No published collection with this number."))
    by = request.GET.get("by", "material")
    by_error = ""
    if by not in presenters.DIMENSIONS:
        by_error = _("%(value)r is not a dimension; allowed: %(allowed)s.") % {
            "value": by,
            "allowed": ", ".join(presenters.DIMENSIONS),
        }
        by = "material"
    query = _search_of(request.GET.get("search", ""))
    children = list(published_collections().filter(parent=item).order_by("name"))
    parent = published_collections().filter(pk=item.parent_id).first() if item.parent_id else None
    sizes = _sizes_for(request, [item, *children])
    exact = sizes[item.pk][1]
    context = {
        "collection": item,
        "attributes": presenters.attributes(item),
        "children": [(child, *sizes[child.pk]) for child in children],
        "parent": parent,
        "size": sizes[item.pk][0],
        "exact": exact,
        "table": presenters.facts_table(item, by, exact=exact),
        "dimensions": [(key, str(title)) for key, (_column, title) in presenters.DIMENSIONS.items()],
        "by_error": by_error,
        "in_cart": item.pk in carts.cart_ids(request.session),
        "query": query,
        "networks": list(item.networks.filter(withdrawn=False).order_by("name")),
    }
    return render(request, "catalog/public/collection.html", context, status=400 if by_error else 200)


def _search_of(raw: str) -> str:
    """The search a collection page was reached from (kept for the cart), normalised; ``""`` when invalid."""
    try:
        return urlencode(parse_params(_without(QueryDict(raw[:2000]), "page")).query_items())
    except SearchError:
        return ""


@require_GET
def biobank(request: HttpRequest, code: str) -> HttpResponse:
    profile = (
        BiobankProfile.objects.filter(biobank__code=code, state="published", withdrawn=False, biobank__is_active=True)
        .select_related("biobank", "contact")
        .prefetch_related("quality_standards")
        .first()
    )
    if profile is None:
        raise Http404(_("No published biobank with this code."))
    collections = list(published_collections().filter(biobank=profile.biobank).order_by("name"))
    sizes = _sizes_for(request, collections)
    top = [c for c in collections if c.parent_id not in {x.pk for x in collections}]
    children: dict[int, list[Collection]] = {}
    for c in collections:
        if c not in top and c.parent_id:
            children.setdefault(c.parent_id, []).append(c)
    context = {
        "profile": profile,
        "country": v.label("Directory.Countries", profile.biobank.country),
        "quality": [
            (
                v.label("Directory.QualityStandards", q.standard),
                v.label("Directory.AssessmentLevels", q.assessment_level),
            )
            for q in profile.quality_standards.all()
        ],
        "capabilities": [
            *profile.infrastructural_capabilities,
            *profile.organisational_capabilities,
            *profile.bioprocessing_capabilities,
        ],
        "entries": [(c, *sizes[c.pk], [(k, *sizes[k.pk]) for k in children.get(c.pk, [])]) for c in top],
        "networks": list(Network.objects.filter(member_biobanks=profile.biobank, withdrawn=False).order_by("name")),
    }
    return render(request, "catalog/public/biobank.html", context)


@require_GET
def network(request: HttpRequest, network_id: int) -> HttpResponse:
    item = Network.objects.filter(pk=network_id, withdrawn=False).select_related("contact").first()
    if item is None:
        raise Http404(_("No network with this number."))
    members = BiobankProfile.objects.filter(
        biobank__in=item.member_biobanks.all(), state="published", withdrawn=False, biobank__is_active=True
    ).select_related("biobank")
    context = {
        "network": item,
        "members": list(members.order_by("biobank__name")),
        "types": item.network_types,
        "countries": [v.label("Directory.Countries", c) for c in item.countries],
        "elements": [v.label("Directory.CommonNetworkElements", c) for c in item.common_network_elements],
        "search_url": "?" + urlencode({"network": item.bbmri_id}),
    }
    return render(request, "catalog/public/network.html", context)


@require_http_methods(["GET", "POST"])
def cart(request: HttpRequest) -> HttpResponse:
    """The cart page; a POST adds (``add``), removes (``remove``) or empties (``clear``) and goes back."""
    if request.method == "POST":
        return _cart_change(request)
    context = {"items": carts.cart_collections(request.session), "searches": carts.cart_searches(request.session)}
    return render(request, "catalog/public/cart.html", context)


def _cart_change(request: HttpRequest) -> HttpResponse:
    action = request.POST.get("action", "")
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=False):
        back = ""
    if action == "clear":
        carts.cart_clear(request.session)
        messages.success(request, _("The cart is empty."))
        return redirect(back or "catalogue:cart")
    if action not in ("add", "remove"):
        messages.error(request, _("Unknown cart action %(value)r; allowed: add, remove, clear.") % {"value": action})
        return redirect(back or "catalogue:cart")
    try:
        collection_id = int(request.POST.get("collection", ""))
    except ValueError:
        collection_id = 0
    item = published_collections().filter(pk=collection_id).first()
    if item is None:
        messages.error(
            request,
            _("No published collection with the number %(value)r.") % {"value": request.POST.get("collection", "")},
        )
        return redirect(back or "catalogue:cart")
    if action == "remove":
        carts.cart_remove(request.session, item.pk)
        messages.success(request, _("“%(name)s” was removed from the cart.") % {"name": item.name})
        return redirect(back or "catalogue:cart")
    search_query = QueryDict(request.POST.get("search", ""))
    try:
        searched = parse_params(_without(search_query, "page"))
    except SearchError:
        searched = SearchParams()
    if carts.cart_add(request.session, item, search=searched):
        messages.success(request, _("“%(name)s” was added to the cart.") % {"name": item.name})
    else:
        messages.warning(request, _("“%(name)s” is in the cart already (or the cart is full).") % {"name": item.name})
    return redirect(back or "catalogue:cart")
