"""Reads of the collection facts for the pages and the API, with the privacy rules applied (``privacy.py``)."""

from __future__ import annotations

from collections.abc import Iterable

from ..models import CollectionFact
from ..vocabularies import ANY
from .privacy import publishable, shown_count


def collection_sizes(collection_ids: Iterable[int], *, exact: bool) -> dict[int, int | None]:
    """The number of samples of each collection, from its all-``*`` facts row, in one query.

    ``exact``: staff of the collection's biobank (the number as stored). Otherwise a total whose donors are fewer
    than k is not published (``None``, like a collection without facts) and a published one is obfuscated.
    """
    ids = list(collection_ids)
    sizes: dict[int, int | None] = dict.fromkeys(ids)
    if not ids:
        return sizes
    rows = CollectionFact.objects.filter(
        collection_id__in=ids, sex=ANY, age_range=ANY, material_type=ANY, disease=ANY
    ).values_list("collection_id", "number_of_samples", "number_of_donors")
    for collection_id, samples, donors in rows:
        if exact or publishable(donors):
            sizes[collection_id] = shown_count(samples, exact=exact)
    return sizes
