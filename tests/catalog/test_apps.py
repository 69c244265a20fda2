"""The catalogue's hooks into the core (catalog/apps.py): the data-quality tile on the dashboard."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.catalog.factories import make_collection

pytestmark = pytest.mark.django_db


def test_the_dashboard_shows_a_data_manager_the_catalogue_findings_of_their_biobank(
    client, data_manager_a, technician_a, biobank_a
):
    make_collection(biobank_a, "pop", "Population follow-up", description="TBD")
    client.force_login(data_manager_a)
    body = client.get(reverse("web:dashboard")).content.decode()
    assert "Catalogue data quality" in body and "placeholder description" in body
    assert reverse("catalog_manage:biobank", args=["biobank-a"]) in body
    client.force_login(technician_a)  # sees collections, manages nothing: no tile
    assert "Catalogue data quality" not in client.get(reverse("web:dashboard")).content.decode()
