"""Audit actions: the core's vocabulary plus what each domain app registers from its ``AppConfig.ready()``.

The catalogue's ``collection.*`` actions moved out of the core's ``AuditAction`` (issue 10, item 1); the stored
names did not change, so existing events keep validating, filtering and reading as before.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import models

from biobank.audit.choices import AuditAction, audit_action_label, register_audit_actions
from biobank.audit.services import audit_drain
from catalog import services as catalog_services
from catalog.choices import CatalogAuditAction


def test_the_core_names_no_catalogue_action_and_the_catalogue_registers_its_own():
    assert not any(value.startswith("collection.") for value in AuditAction.values)
    assert CatalogAuditAction.COLLECTION_CREATE == "collection.create"
    assert audit_action_label("collection.create") == "Collection created"
    assert audit_action_label("collection.update") == "Collection changed"
    assert audit_action_label("membership.grant") == "Role granted"  # the core's own


def test_an_action_nobody_registered_is_shown_as_it_is_stored():
    assert audit_action_label("consent.record") == "consent.record"


def test_registering_the_same_actions_again_changes_nothing():
    register_audit_actions(CatalogAuditAction)
    assert audit_action_label("collection.update") == "Collection changed"


def test_an_action_name_with_another_meaning_is_refused_at_start_up():
    class Clash(models.TextChoices):
        GRANT = "membership.grant", "Membership handed out"

    with pytest.raises(ImproperlyConfigured, match=r"'membership\.grant' is already registered as"):
        register_audit_actions(Clash)
    assert audit_action_label("membership.grant") == "Role granted"


@pytest.mark.django_db
def test_the_trail_shows_a_registered_action_with_its_meaning(client, auditor_a, biobank_a, admin_a):
    collection = catalog_services.collection_create(actor=admin_a, biobank=biobank_a, code="crc", name="CRC")
    catalog_services.collection_update(actor=admin_a, collection=collection, name="Colorectal")
    audit_drain()
    client.force_login(auditor_a)
    page = client.get("/audit/", {"action": "collection.update"}).content.decode()
    assert "<code>collection.update</code>" in page
    assert "Collection changed" in page
    history = client.get(f"/audit/history/catalog.collection/{collection.pk}/").content.decode()
    assert "Collection created" in history and "Collection changed" in history
