"""Running a catalogue search for a reader: the page of results (sub-collections under their parent), the sizes the
reader may see, the facet counts; and the flat rows of the CSV export. Reads only.

Queries, whatever the number of results: the reader's biobanks (signed-in readers only), the facet counts (one),
the number of results, the page, the matching sub-collections and the sizes (one or two).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, QuerySet

from biobank.accounts.choices import Perm
from biobank.accounts.principals import Principal
from biobank.accounts.selectors import biobank_ids_with_perm

from .facts.selectors import collection_sizes
from .models import Collection
from .search import SearchParams, matching, size_order
from .search_facets import FacetCounts, facet_counts

PAGE_SIZE = 20


def exact_biobank_ids(user: Principal | Any) -> list[int]:
    """Biobanks whose collections the reader sees with exact sizes (staff with view_catalog there)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    return list(biobank_ids_with_perm(user=user, perm=Perm.VIEW_CATALOG))


@dataclass
class Entry:
    """One collection in a result list, with the size the reader may see and its matching sub-collections."""

    collection: Collection
    size: int | None = None
    exact: bool = False
    children: list[Entry] = field(default_factory=list)


@dataclass
class SearchResult:
    params: SearchParams
    entries: list[Entry]
    facets: FacetCounts
    page: int
    pages: int
    results: int  # top-level entries (parents with their children count once here)

    @property
    def total(self) -> int:
        """Collections found, sub-collections included."""
        return self.facets.total


def ordered(qs: QuerySet[Collection], params: SearchParams, exact_ids: list[int]) -> QuerySet[Collection]:
    if params.sort == "size":
        return qs.annotate(f_size=size_order(exact_ids)).order_by(F("f_size").desc(nulls_last=True), "name", "pk")
    return qs.order_by("name", "pk")


def fill_sizes(entries: list[Entry], exact_ids: list[int]) -> None:
    every: list[Entry] = []
    stack = list(entries)
    while stack:
        entry = stack.pop()
        every.append(entry)
        stack.extend(entry.children)
    own = {e.collection.pk for e in every if e.collection.biobank_id in exact_ids}
    sizes = collection_sizes(sorted(own), exact=True)
    sizes |= collection_sizes(sorted(e.collection.pk for e in every if e.collection.pk not in own), exact=False)
    for entry in every:
        entry.size = sizes.get(entry.collection.pk)
        entry.exact = entry.collection.pk in own


def _attach_children(roots: list[Entry], found: QuerySet[Collection], params: SearchParams, exact_ids: list[int]):
    """Matching sub-collections (any depth) under their matching parent, in the search's order."""
    children = list(ordered(found.filter(parent__isnull=False), params, exact_ids).select_related("biobank"))
    by_parent: dict[int, list[Collection]] = {}
    for child in children:
        by_parent.setdefault(child.parent_id or 0, []).append(child)
    stack = list(roots)
    while stack:
        entry = stack.pop()
        entry.children = [Entry(c) for c in by_parent.get(entry.collection.pk, [])]
        stack.extend(entry.children)


def run_search(params: SearchParams, *, user: Any, page: int = 1, page_size: int = PAGE_SIZE) -> SearchResult:
    exact_ids = exact_biobank_ids(user)
    facets = facet_counts(params)
    found = matching(params)
    roots = found.exclude(parent__in=matching(params).values("pk"))
    results = roots.count()
    pages = max(1, -(-results // page_size))
    page = min(max(page, 1), pages)
    start = (page - 1) * page_size
    rows = list(ordered(roots, params, exact_ids).select_related("biobank", "parent")[start : start + page_size])
    entries = [Entry(c) for c in rows]
    if entries:
        _attach_children(entries, found, params, exact_ids)
    fill_sizes(entries, exact_ids)
    return SearchResult(params=params, entries=entries, facets=facets, page=page, pages=pages, results=results)


def export_rows(params: SearchParams, *, user: Any) -> list[Entry]:
    """Every collection found (sub-collections right after their parent), for the CSV export."""
    exact_ids = exact_biobank_ids(user)
    found = matching(params)
    roots = [Entry(c) for c in ordered(found.exclude(parent__in=matching(params).values("pk")), params, exact_ids)
             .select_related("biobank")]  # fmt: skip
    _attach_children(roots, found, params, exact_ids)
    fill_sizes(roots, exact_ids)
    flat: list[Entry] = []

    def walk(entries: list[Entry]) -> None:
        for entry in entries:
            flat.append(entry)
            walk(entry.children)

    walk(roots)
    return flat
