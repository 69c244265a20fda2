"""The cart (catalog/cart.py): collections kept in the session with the search they came from."""

from __future__ import annotations

import pytest
from django.contrib.sessions.backends.db import SessionStore

from catalog.cart import cart_add, cart_clear, cart_collections, cart_ids, cart_remove, cart_searches
from catalog.search import SearchParams

pytestmark = pytest.mark.django_db


def test_collections_are_added_once_with_their_search_and_removed(catalogue):
    session = SessionStore()
    search = SearchParams(material=("SERUM",))

    assert cart_add(session, catalogue.crc, search=SearchParams(q="colon"))
    assert cart_add(session, catalogue.infants, search=search)
    assert cart_add(session, catalogue.serum, search=search)
    assert not cart_add(session, catalogue.crc)

    assert [c.code for _item, c in cart_collections(session)] == ["crc", "infants", "ibd-kids"]
    assert [(d, ids) for d, _params, ids in cart_searches(session)] == [
        ("Collections with text 'colon'", [catalogue.crc.pk]),
        ("Collections with material type Serum", [catalogue.infants.pk, catalogue.serum.pk]),
    ]
    assert cart_remove(session, catalogue.infants.pk)
    assert cart_ids(session) == {catalogue.crc.pk, catalogue.serum.pk}
    cart_clear(session)
    assert cart_ids(session) == set()


def test_a_collection_unpublished_since_it_was_added_is_left_out(catalogue):
    from catalog import services

    session = SessionStore()
    cart_add(session, catalogue.leuk)
    services.collection_set_state(actor=None, collection=catalogue.leuk, state="draft")

    assert cart_collections(session) == []


def test_a_damaged_session_entry_is_ignored(catalogue):
    session = SessionStore()
    session["catalog_cart"] = [{"id": "x"}, {"nothing": 1}, {"id": catalogue.crc.pk}]

    assert [c.code for _item, c in cart_collections(session)] == ["crc"]
