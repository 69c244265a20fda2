"""The researcher's dashboard and the collections page list the same collections (issue 16, item 10): both read
``collections_visible_to``; before, the dashboard named every collection of the network while the page said none
was visible."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from guardian.shortcuts import assign_perm

pytestmark = pytest.mark.django_db


def _names(html: str, names: tuple[str, ...]) -> set[str]:
    return {name for name in names if re.search(rf">\s*{re.escape(name)}\s*<", html)}


NAMES = ("Breast cancer 2019", "Liver cohort")


def test_dashboard_and_collections_page_agree_when_none_is_visible(client, researcher, collection_a, collection_b):
    client.force_login(researcher)
    dashboard = client.get(reverse("web:dashboard")).content.decode()
    collections = client.get(reverse("catalog:collection_list")).content.decode()

    assert _names(dashboard, NAMES) == _names(collections, NAMES) == set()
    assert "No collection is visible to you yet." in dashboard
    assert "No collection is visible to you yet." in collections


def test_dashboard_and_collections_page_agree_on_a_shared_collection(client, researcher, collection_a, collection_b):
    assign_perm("catalog.view_collection", researcher, collection_b)  # shared with the researcher one by one
    client.force_login(researcher)
    dashboard = client.get(reverse("web:dashboard")).content.decode()
    collections = client.get(reverse("catalog:collection_list")).content.decode()

    assert _names(dashboard, NAMES) == _names(collections, NAMES) == {"Liver cohort"}
