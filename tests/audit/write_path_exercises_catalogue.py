"""Exercises of the public catalogue's POST routes for tests/audit/test_write_paths_audited.py."""

from __future__ import annotations

from django.test import Client

from tests.audit.write_path_exercises import Fixtures, _ok


def cart_change(f: Fixtures) -> None:
    """The cart keeps the visitor's selection in their session: adding (here refused: the collection is a draft),
    removing and emptying write no record."""
    client = Client()
    for data in (
        {"action": "add", "collection": f.collection_a.pk, "search": "q=cart"},
        {"action": "remove", "collection": f.collection_a.pk},
        {"action": "clear"},
    ):
        _ok(client.post("/catalogue/cart/", data), 302)
