"""Running a catalogue search for a reader: the page of results (sub-collections under their parent), the sizes the
reader may see, the facet counts; and the flat rows of the CSV export. Reads only.

Queries, whatever the number of results: the reader's biobanks (signed-in readers only), the facet counts (one),
the ids found, the page, the matching sub-collections (if any) and the sizes (one or two).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, QuerySet

from biobank.accounts.choices import Perm
from biobank.accounts.principals import Principal
from biobank.accounts.selectors import biobanks_with_perm

from .facts.selectors import collection_sample_counts
from .models import Collection
from .search import SearchParams, matching, size_order
from .search_facets import FacetCounts, facet_counts

PAGE_SIZE = 20


def exact_biobank_ids(user: Principal | Any) -> list[int]:
    """Biobanks whose collections the reader sees with exact sizes (staff with view_catalog there)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    return list(biobanks_with_perm(user=user, perm=Perm.VIEW_CATALOG).values_list("pk", flat=True))


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
    sizes = collection_sample_counts(sorted(own), exact=True)
    sizes |= collection_sample_counts(sorted(e.collection.pk for e in every if e.collection.pk not in own), exact=False)
    for entry in every:
        entry.size = sizes.get(entry.collection.pk)
        entry.exact = entry.collection.pk in own


def _split(params: SearchParams) -> tuple[list[int], list[int]]:
    """The ids of every collection found: those shown at the top (no parent among the found) and the others.

    One query for the ids; the later queries filter by them (the search's conditions name the collection table,
    so they are not repeated inside a subquery)."""
    pairs = list(matching(params).values_list("pk", "parent_id"))
    ids = {pk for pk, _parent in pairs}
    roots = [pk for pk, parent in pairs if parent not in ids]
    return roots, [pk for pk, parent in pairs if parent in ids]


def _attach_children(roots: list[Entry], child_ids: list[int], params: SearchParams, exact_ids: list[int]) -> None:
    """Matching sub-collections (any depth) under their matching parent, in the search's order."""
    if not child_ids:
        return
    found = Collection.objects.filter(pk__in=child_ids).select_related("biobank")
    by_parent: dict[int, list[Collection]] = {}
    for child in ordered(found, params, exact_ids):
        by_parent.setdefault(child.parent_id or 0, []).append(child)
    stack = list(roots)
    while stack:
        entry = stack.pop()
        entry.children = [Entry(c) for c in by_parent.get(entry.collection.pk, [])]
        stack.extend(entry.children)


def run_search(params: SearchParams, *, user: Any, page: int = 1, page_size: int = PAGE_SIZE) -> SearchResult:
    exact_ids = exact_biobank_ids(user)
    facets = facet_counts(params)
    root_ids, child_ids = _split(params)
    results = len(root_ids)
    pages = max(1, -(-results // page_size))
    page = min(max(page, 1), pages)
    start = (page - 1) * page_size
    roots = Collection.objects.filter(pk__in=root_ids).select_related("biobank", "parent")
    entries = [Entry(c) for c in ordered(roots, params, exact_ids)[start : start + page_size]]
    _attach_children(entries, child_ids, params, exact_ids)
    fill_sizes(entries, exact_ids)
    return SearchResult(params=params, entries=entries, facets=facets, page=page, pages=pages, results=results)


def export_rows(params: SearchParams, *, user: Any) -> list[Entry]:
    """Every collection found (sub-collections right after their parent), for the CSV export."""
    exact_ids = exact_biobank_ids(user)
    root_ids, child_ids = _split(params)
    found = Collection.objects.filter(pk__in=root_ids).select_related("biobank")
    roots = [Entry(c) for c in ordered(found, params, exact_ids)]
    _attach_children(roots, child_ids, params, exact_ids)
    fill_sizes(roots, exact_ids)
    flat: list[Entry] = []

    def walk(entries: list[Entry]) -> None:
        for entry in entries:
            flat.append(entry)
            walk(entry.children)

    walk(roots)
    return flat
