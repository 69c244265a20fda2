"""The catalogue's part of the global search (``biobank.web.search``): a collection's name or code opens the
collection in the list of collections the person may see (``collections_visible_to``). A name typed in full (any
case) wins over names that merely contain the text. Always one query."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from biobank.accounts.principals import Principal
from biobank.web.search import MAX_HITS, SearchHit

from .selectors import collections_visible_to


def collections_search(user: Principal, text: str) -> list[SearchHit]:
    found = list(
        collections_visible_to(user=user)
        .filter(Q(name__icontains=text) | Q(code__iexact=text))
        .order_by("name", "pk")
        .values_list("pk", "name", "code", "biobank__name")[:MAX_HITS]
    )
    exact = [row for row in found if text.casefold() in (row[1].casefold(), row[2].casefold())]
    url = reverse("catalog:collection_list")
    return [
        SearchHit(kind=_("Collections"), label=name, url=f"{url}#collection-{pk}", detail=f"{code} · {biobank}")
        for pk, name, code, biobank in exact or found
    ]
