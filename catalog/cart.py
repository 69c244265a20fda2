"""The catalogue cart: collections a visitor picked, kept in their session (no login needed), each with the search
it was picked from. The access-request issue takes the cart over through this API:

- ``cart_items(session)`` → ``[CartItem]`` (collection id, the ``SearchParams`` and its description, when added);
- ``cart_collections(session)`` → ``[(CartItem, Collection)]``: the items whose collection is still in the public
  catalogue (published; a collection unpublished since is left out, not shown);
- ``cart_searches(session)`` → ``[(description, SearchParams, [collection ids])]``, one per distinct search, in
  the order first used: the "human-readable description of the search" a request carries;
- ``cart_add(session, collection, search=...)``, ``cart_remove(session, collection_id)``, ``cart_clear(session)``.

Only ids, plain dicts and strings go into the session (it is signed JSON-serialisable data), at most
``MAX_ITEMS`` collections. Reads; the session is the visitor's own state, not a record of the portal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.sessions.backends.base import SessionBase
from django.utils import timezone

from .models import Collection
from .search import SearchParams, published_collections
from .search_describe import describe

SESSION_KEY = "catalog_cart"
MAX_ITEMS = 200


@dataclass(frozen=True)
class CartItem:
    collection_id: int
    search: SearchParams
    description: str
    added_at: str  # ISO 8601


def _raw(session: SessionBase) -> list[dict[str, Any]]:
    items = session.get(SESSION_KEY, [])
    return items if isinstance(items, list) else []


def cart_items(session: SessionBase) -> list[CartItem]:
    found = []
    for item in _raw(session):
        try:
            found.append(
                CartItem(
                    collection_id=int(item["id"]),
                    search=SearchParams.from_dict(item.get("search", {})),
                    description=str(item.get("description", "")),
                    added_at=str(item.get("added_at", "")),
                )
            )
        except (KeyError, TypeError, ValueError):
            continue  # an item of an older shape: dropped rather than failing the page
    return found


def cart_ids(session: SessionBase) -> set[int]:
    return {item.collection_id for item in cart_items(session)}


def cart_add(session: SessionBase, collection: Collection, *, search: SearchParams | None = None) -> bool:
    """Add ``collection`` (if not there yet and the cart is not full); ``False`` when nothing was added."""
    items = _raw(session)
    if collection.pk in {item.get("id") for item in items} or len(items) >= MAX_ITEMS:
        return False
    search = search or SearchParams()
    items.append(
        {
            "id": collection.pk,
            "search": search.as_dict(),
            "description": describe(search),
            "added_at": timezone.now().isoformat(timespec="seconds"),
        }
    )
    session[SESSION_KEY] = items
    return True


def cart_remove(session: SessionBase, collection_id: int) -> bool:
    items = _raw(session)
    kept = [item for item in items if item.get("id") != collection_id]
    if len(kept) == len(items):
        return False
    session[SESSION_KEY] = kept
    return True


def cart_clear(session: SessionBase) -> None:
    session.pop(SESSION_KEY, None)


def cart_collections(session: SessionBase) -> list[tuple[CartItem, Collection]]:
    """The cart's items whose collection is still public, in the order added (one query)."""
    items = cart_items(session)
    found = published_collections().filter(pk__in=[i.collection_id for i in items]).select_related("biobank")
    by_id = {collection.pk: collection for collection in found}
    return [(item, by_id[item.collection_id]) for item in items if item.collection_id in by_id]


def cart_searches(session: SessionBase) -> list[tuple[str, SearchParams, list[int]]]:
    """One entry per distinct search the cart's collections came from: its description, parameters and ids."""
    groups: dict[str, tuple[str, SearchParams, list[int]]] = {}
    for item, collection in cart_collections(session):
        groups.setdefault(item.description, (item.description, item.search, []))[2].append(collection.pk)
    return list(groups.values())
